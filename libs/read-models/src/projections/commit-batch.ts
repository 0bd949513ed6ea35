import type { Position, RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import { moveCheckpoint, readCheckpoint } from './checkpoints.js';
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
 *
 * Few round trips, since a batch is paid for by every write waiting for it: the checkpoint is moved (and
 * announced) by an UPDATE that matches only while it is still at `after` (it takes the row's lock, so a
 * second writer waits, then finds the row moved and matches nothing), and the projection's first
 * statement goes out in the same write, without waiting for it.
 */
export async function commitBatch(
  sql: postgres.Sql,
  projection: Projection,
  after: Position,
  events: readonly RecordedEvent[],
): Promise<Position> {
  const last = events[events.length - 1];
  if (!last) return after;
  let moved = true;
  try {
    await sql.begin(async (tx) => {
      const guard = moveCheckpoint(tx, projection.name, after, last.position);
      const projected = projection.project(tx, events);
      const [guarded, applied] = await Promise.allSettled([guard, projected]);
      if (guarded.status === 'rejected') throw guarded.reason;
      if (!guarded.value) {
        moved = false;
        throw new Error('checkpoint moved');
      }
      if (applied.status === 'rejected') throw applied.reason;
    });
  } catch (error) {
    if (!moved)
      throw new CheckpointMovedError(projection.name, after, await readCheckpoint(sql, projection.name));
    throw error;
  }
  return last.position;
}
