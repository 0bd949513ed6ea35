import type { Position } from '@switchboard/event-store';
import type postgres from 'postgres';

/** The channel a projection notifies after each committed batch (see ProjectionWaiter). */
export const checkpointChannel = 'rm_checkpoint';

/** Before every event: a projection that has applied nothing, or has just been reset. */
export const startOfAll: Position = { commit: 0n, prepare: 0n };

/** `<projection>:<commit>:<prepare>`, the payload the gateway parses. */
export function checkpointPayload(projection: string, position: Position): string {
  return `${projection}:${position.commit}:${position.prepare}`;
}

interface CheckpointRow {
  commit: string;
  prepare: string;
}

const toPosition = (row: CheckpointRow): Position => ({
  commit: BigInt(row.commit),
  prepare: BigInt(row.prepare),
});

export async function readCheckpoint(sql: postgres.ISql, projection: string): Promise<Position | null> {
  const [row] = await sql<CheckpointRow[]>`
    SELECT commit_position::text AS commit, prepare_position::text AS prepare
    FROM rm.checkpoints WHERE projection = ${projection}`;
  return row ? toPosition(row) : null;
}

/** The projection's checkpoint, created at the start of `$all` when it has none. */
export async function ensureCheckpoint(sql: postgres.ISql, projection: string): Promise<Position> {
  await sql`
    INSERT INTO rm.checkpoints (projection, commit_position, prepare_position) VALUES (${projection}, 0, 0)
    ON CONFLICT (projection) DO NOTHING`;
  return (await readCheckpoint(sql, projection)) ?? startOfAll;
}

/**
 * Locks the checkpoint row until the transaction ends and returns it: whoever writes a batch holds it, so
 * two writers (a leader that lost its lock, a rebuild) are serialised and the second sees it moved.
 */
export async function lockCheckpoint(tx: postgres.ISql, projection: string): Promise<Position | null> {
  const [row] = await tx<CheckpointRow[]>`
    SELECT commit_position::text AS commit, prepare_position::text AS prepare
    FROM rm.checkpoints WHERE projection = ${projection} FOR UPDATE`;
  return row ? toPosition(row) : null;
}

/**
 * Moves the checkpoint from `from` to `to` if it is still at `from`, and notifies listeners (the
 * notification goes out only if the transaction commits); false when it was not at `from` (nothing
 * changed, nothing notified). The query is sent at once, so that statements issued after it go out in
 * the same write.
 */
export async function moveCheckpoint(
  tx: postgres.ISql,
  projection: string,
  from: Position,
  to: Position,
): Promise<boolean> {
  const rows = await tx`
    UPDATE rm.checkpoints
    SET commit_position = ${to.commit.toString()}, prepare_position = ${to.prepare.toString()}, updated_at = now()
    WHERE projection = ${projection}
      AND commit_position = ${from.commit.toString()} AND prepare_position = ${from.prepare.toString()}
    RETURNING pg_notify(${checkpointChannel}, ${checkpointPayload(projection, to)})::text AS notified`.execute();
  return rows.length > 0;
}

/** Moves the checkpoint and notifies listeners; the notification goes out only if the transaction commits. */
export async function advanceCheckpoint(tx: postgres.ISql, projection: string, to: Position): Promise<void> {
  await tx`
    UPDATE rm.checkpoints
    SET commit_position = ${to.commit.toString()}, prepare_position = ${to.prepare.toString()}, updated_at = now()
    WHERE projection = ${projection}`;
  await tx`SELECT pg_notify(${checkpointChannel}, ${checkpointPayload(projection, to)})`;
}
