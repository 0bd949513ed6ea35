import type { Position, RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import { readModelDdl } from '../schema.js';
import type { Projection } from './core-projection.js';
import { inSchema, retargetSql } from './rebuild-target-schema.js';

/** Where a rebuild projects while the live schema `rm` keeps serving. */
export const shadowSchema = 'rm_next';

/**
 * A fresh, empty `rm_next` made from the read models' own DDL (whatever a failed rebuild left there is
 * dropped first), with the projection's checkpoint at the start of `$all`. Taken under the lock the
 * read-model migration takes, so it never runs beside one.
 */
export async function createShadowSchema(sql: postgres.Sql, projection: Projection): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('switchboard:rm:migrate'))`;
    await tx.unsafe(`DROP SCHEMA IF EXISTS ${shadowSchema} CASCADE`);
    await tx.unsafe(retargetSql(readModelDdl, shadowSchema));
    await inSchema(tx, shadowSchema)`
      INSERT INTO rm.checkpoints (projection, commit_position, prepare_position) VALUES (${projection.name}, 0, 0)`;
  });
}

/**
 * Applies events to the shadow tables and moves the shadow checkpoint, inside the caller's transaction.
 * Nothing is announced on `rm_checkpoint`: the gateway waits on the live checkpoint only.
 */
export async function applyShadowBatch(
  tx: postgres.ISql,
  projection: Projection,
  events: readonly RecordedEvent[],
): Promise<Position | null> {
  const last = events[events.length - 1];
  if (!last) return null;
  const shadow = inSchema(tx, shadowSchema);
  await projection.project(shadow, events);
  await shadow`
    UPDATE rm.checkpoints
    SET commit_position = ${last.position.commit.toString()}, prepare_position = ${last.position.prepare.toString()},
        updated_at = now()
    WHERE projection = ${projection.name}`;
  return last.position;
}
