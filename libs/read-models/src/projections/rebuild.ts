import { setTimeout as delay } from 'node:timers/promises';
import { comparePositions, type EventStore, type Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { migrateReadModels } from '../schema.js';
import { readCheckpoint, startOfAll } from './checkpoints.js';
import { CheckpointMovedError, commitBatch } from './commit-batch.js';
import { coreProjection, type Projection } from './core-projection.js';
import { holdsProjectionLock, tryLockProjection, unlockProjection } from './projection-lock.js';

export interface RebuildOptions {
  projection?: Projection;
  /** Events per replayed transaction. */
  batchSize?: number;
  /** How long to wait for the target to be replayed (by a running leader, or once readable). */
  timeoutMs?: number;
  /** How often the checkpoint is read while a leader replays, or `$all` while a write is not yet readable. */
  pollMs?: number;
  /**
   * Replay at least this far: a write the caller knows of. The head of `$all` only shows what is readable
   * in order, and a transaction still running anywhere holds back what committed after it began.
   */
  until?: Position;
  onProgress?(position: Position, replayed: number): void;
}

export interface RebuildResult {
  /** Where the rebuilt projection stands: at or after the head of `$all` when the rebuild began. */
  position: Position;
  /** Events this call replayed itself (a running leader replays the rest). */
  replayed: number;
}

/**
 * Empties the projection's tables and resets its checkpoint to the start of `$all`, in one transaction.
 * The checkpoint row is locked first, like every batch does, so a batch in flight finishes before the
 * truncation and a leader's next batch sees the checkpoint moved and starts again from the start.
 */
export async function resetReadModels(
  sql: postgres.Sql,
  projection: Projection = coreProjection,
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      INSERT INTO rm.checkpoints (projection, commit_position, prepare_position) VALUES (${projection.name}, 0, 0)
      ON CONFLICT (projection) DO UPDATE SET commit_position = 0, prepare_position = 0, updated_at = now()`;
    await tx.unsafe(`TRUNCATE ${projection.tables.join(', ')}`);
  });
}

/**
 * Rebuilds a projection from the event store: reset, then replay `$all` up to its head as of now (or
 * `until`, when further). When no projector leads, the rebuild takes the projection's lock and replays
 * itself (a projector starting meanwhile waits as standby); when one leads, it lets that leader replay
 * and waits for its checkpoint, taking over if the leader goes away. The read model is incomplete until
 * this returns. `sql` needs a connection to spare: one holds the lock during the replay.
 */
export async function rebuildReadModels(
  sql: postgres.Sql,
  store: EventStore,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const projection = options.projection ?? coreProjection;
  const batchSize = options.batchSize ?? 1000;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  await migrateReadModels(sql);
  const lockConnection = await sql.reserve();
  let leading = false;
  try {
    const head = (await store.headPosition()) ?? startOfAll;
    const target = options.until && comparePositions(options.until, head) > 0 ? options.until : head;
    await resetReadModels(sql, projection);
    const progress = { replayed: 0 };
    for (;;) {
      const at = (await readCheckpoint(sql, projection.name)) ?? startOfAll;
      if (comparePositions(at, target) >= 0) return { position: at, replayed: progress.replayed };
      // a pooled connection can be recycled under a long replay, taking the lock with it: look again
      const lockCheck: typeof tryLockProjection = leading ? holdsProjectionLock : tryLockProjection;
      leading = await lockCheck(lockConnection, projection.name).catch(() => false);
      if (leading) {
        const before = progress.replayed;
        try {
          await replay(sql, store, projection, at, target, batchSize, progress, options.onProgress);
        } catch (error) {
          // another writer took over (the checkpoint fences it): carry on from where it is
          if (!(error instanceof CheckpointMovedError)) throw error;
        }
        if (progress.replayed > before) continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${projection.name} was not replayed up to ${target.commit}/${target.prepare} in time`,
        );
      }
      options.onProgress?.(at, progress.replayed);
      await delay(pollMs);
    }
  } finally {
    try {
      if (leading) await unlockProjection(lockConnection, projection.name);
    } finally {
      lockConnection.release();
    }
  }
}

/** Replays from `at` (exclusive) until `target` is applied, counting the events it commits. */
async function replay(
  sql: postgres.Sql,
  store: EventStore,
  projection: Projection,
  at: Position,
  target: Position,
  batchSize: number,
  progress: { replayed: number },
  onProgress: RebuildOptions['onProgress'],
): Promise<void> {
  while (comparePositions(at, target) < 0) {
    const events = await store.readAll({ fromPosition: at, maxCount: batchSize });
    if (events.length === 0) return;
    at = await commitBatch(sql, projection, at, events);
    progress.replayed += events.length;
    onProgress?.(at, progress.replayed);
  }
}
