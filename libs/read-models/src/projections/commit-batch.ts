import { comparePositions, type Position, type RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import { advanceCheckpoint, lockCheckpoint } from './checkpoints.js';
import type { Projection } from './core-projection.js';

/** The checkpoint is not where this writer left it: someone else wrote or reset the projection. */
export class CheckpointMovedError extends Error {
  override name = 'CheckpointMovedError';
  constructor(
    readonly projection: string,
    readonly expected: Position,
    readonly actual: Position | null,
  ) {
    super(
      `checkpoint of ${projection} is at ${actual ? `${actual.commit}/${actual.prepare}` : 'nothing'}, ` +
        `expected ${expected.commit}/${expected.prepare}`,
    );
  }
}

/**
 * Applies a batch that follows `after` and moves the checkpoint to its last event, in one transaction,
 * then notifies `rm_checkpoint`. The batch takes effect exactly once: a crash before the commit leaves
 * the checkpoint at `after` (the batch is read again), and once committed a repeat is refused because
 * the checkpoint is no longer at `after`. Returns the new checkpoint.
 */
export async function commitBatch(
  sql: postgres.Sql,
  projection: Projection,
  after: Position,
  events: readonly RecordedEvent[],
): Promise<Position> {
  const last = events[events.length - 1];
  if (!last) return after;
  await sql.begin(async (tx) => {
    const current = await lockCheckpoint(tx, projection.name);
    if (!current || comparePositions(current, after) !== 0) {
      throw new CheckpointMovedError(projection.name, after, current);
    }
    await projection.project(tx, events);
    await advanceCheckpoint(tx, projection.name, last.position);
  });
  return last.position;
}
