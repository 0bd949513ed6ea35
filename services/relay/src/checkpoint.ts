import type { Position } from '@switchboard/event-store';
import type postgres from 'postgres';

/** The last event the relay published to a JetStream stream, and where it is in `$all`. */
export interface RelayCheckpoint {
  position: Position;
  eventId: string;
}

// Advisory lock class of the relay ('rl'); key 0 guards the schema, others are leader locks.
export const relayLockClass = 0x726c;

/** Creates schema `relay` and its checkpoint table; safe when several relays start at once. */
export async function migrateRelay(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${relayLockClass}, 0)`;
    await tx`CREATE SCHEMA IF NOT EXISTS relay`;
    // commit is an xid8 (up to 2^64), beyond bigint.
    await tx`
      CREATE TABLE IF NOT EXISTS relay.checkpoints (
        stream     text PRIMARY KEY,
        commit     numeric(20, 0) NOT NULL,
        prepare    bigint NOT NULL,
        event_id   uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`;
  });
}

export async function readCheckpoint(sql: postgres.Sql, stream: string): Promise<RelayCheckpoint | null> {
  const [row] = await sql<{ commit: string; prepare: string; eventId: string }[]>`
    SELECT commit::text AS commit, prepare::text AS prepare, event_id::text AS "eventId"
    FROM relay.checkpoints WHERE stream = ${stream}`;
  return row
    ? { position: { commit: BigInt(row.commit), prepare: BigInt(row.prepare) }, eventId: row.eventId }
    : null;
}

/** Moves the checkpoint forward only: a late write from a relay that lost the lead cannot pull it back. */
export async function writeCheckpoint(
  sql: postgres.Sql,
  stream: string,
  checkpoint: RelayCheckpoint,
): Promise<void> {
  const { position, eventId } = checkpoint;
  await sql`
    INSERT INTO relay.checkpoints AS c (stream, commit, prepare, event_id)
    VALUES (${stream}, ${position.commit.toString()}::numeric, ${position.prepare.toString()}::bigint, ${eventId}::uuid)
    ON CONFLICT (stream) DO UPDATE
      SET commit = excluded.commit, prepare = excluded.prepare, event_id = excluded.event_id, updated_at = now()
      WHERE (c.commit, c.prepare) < (excluded.commit, excluded.prepare)`;
}
