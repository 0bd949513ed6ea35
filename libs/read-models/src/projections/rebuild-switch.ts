import { comparePositions, type EventStore, type Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { checkpointChannel, checkpointPayload } from './checkpoints.js';
import type { Projection } from './core-projection.js';
import { applyShadowBatch, shadowSchema } from './rebuild-shadow.js';
import { liveSchema } from './rebuild-target-schema.js';

export interface SwitchResult {
  /** The checkpoint the live projector resumes from. */
  position: Position;
  /** Events applied inside the switch. */
  applied: number;
  /** The schema the replaced tables were renamed to. */
  oldSchema: string;
}

/**
 * Makes the shadow tables the live ones, in one transaction:
 * 1. lock every row of the live `rm.checkpoints`: each projector batch updates its row first, so a batch
 *    in flight finishes before, and the next waits until after, the switch (the leader keeps its
 *    advisory lock throughout; only its writes pause);
 * 2. apply what `$all` holds beyond the shadow checkpoint (at least up to the live one, so reads never
 *    step back);
 * 3. carry over what the rebuild did not make: other projections' tables and checkpoints;
 * 4. spoil the old checkpoint rows, so that a batch waiting on them finds its checkpoint moved, rolls
 *    back and follows again from the new one;
 * 5. rename `rm` → `rm_old_<ms>` and `rm_next` → `rm`, announcing the new checkpoint.
 * Renaming a schema takes no lock on its tables: queries running keep the old ones, later ones (prepared
 * statements too, whose plans PostgreSQL invalidates on the rename) find the new ones under the same names.
 */
export async function switchToShadow(
  sql: postgres.Sql,
  store: EventStore,
  projection: Projection,
  shadowAt: Position,
  options: { batchSize: number; lockTimeoutMs: number },
): Promise<SwitchResult> {
  const oldSchema = `${liveSchema}_old_${Date.now()}`;
  return sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs))}`);
    const live = await tx<{ projection: string; commit: string; prepare: string }[]>`
      SELECT projection, commit_position::text AS commit, prepare_position::text AS prepare
      FROM rm.checkpoints ORDER BY projection FOR UPDATE`;
    const liveRow = live.find((r) => r.projection === projection.name);
    let at = shadowAt;
    let applied = 0;
    for (;;) {
      const events = await store.readAll({ fromPosition: at, maxCount: options.batchSize });
      if (events.length === 0) break;
      at = (await applyShadowBatch(tx, projection, events)) ?? at;
      applied += events.length;
    }
    if (liveRow) {
      const liveAt = { commit: BigInt(liveRow.commit), prepare: BigInt(liveRow.prepare) };
      if (comparePositions(at, liveAt) < 0) {
        throw new Error(
          `the rebuilt ${projection.name} reached ${at.commit}/${at.prepare}, behind the live checkpoint ` +
            `${liveAt.commit}/${liveAt.prepare}; nothing was switched`,
        );
      }
    }

    const others = await tx<{ table: string }[]>`
      SELECT tablename AS table FROM pg_tables
      WHERE schemaname = ${liveSchema} AND tablename <> 'checkpoints'
        AND format('%s.%s', schemaname, tablename) <> ALL (${projection.tables as string[]}::text[])`;
    for (const { table } of others) {
      await tx.unsafe(`DROP TABLE IF EXISTS ${shadowSchema}.${quote(table)}`);
      await tx.unsafe(`ALTER TABLE ${liveSchema}.${quote(table)} SET SCHEMA ${shadowSchema}`);
    }
    await tx.unsafe(
      `INSERT INTO ${shadowSchema}.checkpoints SELECT * FROM ${liveSchema}.checkpoints WHERE projection <> $1
       ON CONFLICT (projection) DO NOTHING`,
      [projection.name],
    );

    await tx`UPDATE rm.checkpoints SET commit_position = -1, prepare_position = -1, updated_at = now()`;
    await tx.unsafe(`ALTER SCHEMA ${liveSchema} RENAME TO ${oldSchema}`);
    await tx.unsafe(`ALTER SCHEMA ${shadowSchema} RENAME TO ${liveSchema}`);
    await tx`SELECT pg_notify(${checkpointChannel}, ${checkpointPayload(projection.name, at)})`;
    return { position: at, applied, oldSchema };
  });
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
