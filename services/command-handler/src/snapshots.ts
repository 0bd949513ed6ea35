import { createHash } from 'node:crypto';
import type { AnyDecider } from '@switchboard/domain';
import type { Position } from '@switchboard/event-store';
import type postgres from 'postgres';

/** A stream's folded state as of its event at `revision`, as stored. */
export interface StoredSnapshot {
  state: unknown;
  revision: bigint;
  position: Position;
}

/**
 * Bumped when the meaning of a stored state changes in a way the evolve function's source does not
 * show (e.g. a helper it calls): every snapshot taken before is then ignored and taken again.
 */
const SNAPSHOT_FORMAT = 1;

// Advisory lock class of the command handler ('ch'); key 0 guards its schema.
const lockClass = 0x6368;

/** Creates schema `command_handler` and its snapshot table; safe when several handlers start at once. */
export async function migrateSnapshots(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${lockClass}, 0)`;
    await tx`CREATE SCHEMA IF NOT EXISTS command_handler`;
    // commit is an xid8 (up to 2^64), beyond bigint.
    await tx`
      CREATE TABLE IF NOT EXISTS command_handler.snapshots (
        stream           text PRIMARY KEY,
        version          text NOT NULL,
        revision         bigint NOT NULL,
        commit_position  numeric(20, 0) NOT NULL,
        prepare_position bigint NOT NULL,
        state            jsonb NOT NULL,
        taken_at         timestamptz NOT NULL DEFAULT now()
      )`;
  });
}

/**
 * Snapshots of folded stream states, so that loading a long stream into a cold cache (a new process,
 * an evicted stream) reads only the events after its latest snapshot. A snapshot is a cache too: it is
 * used only when taken by the same evolve function (its `version`), and only while the stream still
 * holds the event it was taken at (not deleted or tombstoned since). Writes are best effort.
 */
export class SnapshotStore {
  readonly #versions = new WeakMap<AnyDecider, string>();

  constructor(
    private readonly sql: postgres.Sql,
    /** Events folded since the last snapshot that make it worth taking a new one. */
    readonly every: number,
    private readonly onError: (error: unknown, stream: string) => void = () => {},
  ) {}

  version(decider: AnyDecider): string {
    let version = this.#versions.get(decider);
    if (!version) {
      const source = `${SNAPSHOT_FORMAT}\n${decider.evolve.toString()}\n${JSON.stringify(decider.initialState())}`;
      version = createHash('sha256').update(source).digest('hex').slice(0, 16);
      this.#versions.set(decider, version);
    }
    return version;
  }

  async load(stream: string, decider: AnyDecider): Promise<StoredSnapshot | null> {
    const [row] = await this.sql<{ revision: string; commit: string; prepare: string; state: unknown }[]>`
      SELECT s.revision::text AS revision, s.commit_position::text AS commit,
             s.prepare_position::text AS prepare, s.state
      FROM command_handler.snapshots s
      JOIN es.streams st ON st.name = s.stream
      WHERE s.stream = ${stream} AND s.version = ${this.version(decider)}
        AND NOT st.tombstoned AND s.revision > st.deleted_at_revision AND s.revision <= st.revision`;
    if (!row) return null;
    return {
      state: row.state,
      revision: BigInt(row.revision),
      position: { commit: BigInt(row.commit), prepare: BigInt(row.prepare) },
    };
  }

  /** Stores a snapshot unless a newer one of the same version is there; never throws. */
  async save(stream: string, decider: AnyDecider, snapshot: StoredSnapshot): Promise<void> {
    const version = this.version(decider);
    try {
      await this.sql`
        INSERT INTO command_handler.snapshots AS s
          (stream, version, revision, commit_position, prepare_position, state)
        VALUES (${stream}, ${version}, ${snapshot.revision.toString()}, ${snapshot.position.commit.toString()},
                ${snapshot.position.prepare.toString()}, ${this.sql.json(snapshot.state as postgres.JSONValue)})
        ON CONFLICT (stream) DO UPDATE
          SET version = excluded.version, revision = excluded.revision,
              commit_position = excluded.commit_position, prepare_position = excluded.prepare_position,
              state = excluded.state, taken_at = now()
          WHERE s.revision < excluded.revision OR s.version <> excluded.version`;
    } catch (error) {
      this.onError(error, stream);
    }
  }
}
