import type { EventStore, Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { migrateReadModels } from '../schema.js';
import { startOfAll } from './checkpoints.js';
import { coreProjection, type Projection } from './core-projection.js';
import { tryLockProjection, unlockProjection } from './projection-lock.js';
import { applyShadowBatch, createShadowSchema, shadowSchema } from './rebuild-shadow.js';
import { switchToShadow } from './rebuild-switch.js';

export interface OnlineRebuildOptions {
  projection?: Projection;
  /** Events per replayed transaction; the switch happens once a read returns fewer than this. */
  batchSize?: number;
  /** Keep the replaced tables (schema `rm_old_<ms>`) instead of dropping them after the switch. */
  keepOld?: boolean;
  /** How long the switch may wait for a projector's batch in flight. */
  lockTimeoutMs?: number;
  onProgress?(progress: { phase: 'replaying' | 'switched'; position: Position; replayed: number }): void;
  /** Runs once the shadow tables are caught up, just before the switch. */
  beforeSwitch?(): Promise<void>;
}

export interface OnlineRebuildResult {
  /** The checkpoint the rebuilt projection (and the live projector, from now on) stands at. */
  position: Position;
  /** Events replayed into the fresh tables, the switch's included. */
  replayed: number;
  /** The replaced tables' schema, when kept. */
  keptSchema: string | null;
}

/** Another rebuild holds the lock: two would replace each other's shadow tables. */
export class RebuildInProgressError extends Error {
  override name = 'RebuildInProgressError';
  constructor() {
    super('another rebuild of the read models is running');
  }
}

// one rebuild at a time, whichever the projection: they all build `rm_next` and rename `rm`
const rebuildLock = 'rm:rebuild';

/**
 * Rebuilds a projection without downtime: replays `$all` from the start into fresh tables (schema
 * `rm_next`, made from the same DDL) while the live tables keep serving and the live projector keeps
 * them current, then switches atomically (`switchToShadow`). The live projector is held off only for
 * the switch and resumes from the rebuilt checkpoint. `sql` needs three connections: the rebuild's
 * lock, the writes, and the store's reads.
 */
export async function rebuildOnline(
  sql: postgres.Sql,
  store: EventStore,
  options: OnlineRebuildOptions = {},
): Promise<OnlineRebuildResult> {
  const projection = options.projection ?? coreProjection;
  const batchSize = options.batchSize ?? 1000;
  await migrateReadModels(sql);
  const lockConnection = await sql.reserve();
  try {
    if (!(await tryLockProjection(lockConnection, rebuildLock))) throw new RebuildInProgressError();
    try {
      await createShadowSchema(sql, projection);
      let at = startOfAll;
      let replayed = 0;
      for (;;) {
        const events = await store.readAll({ fromPosition: at, maxCount: batchSize });
        if (events.length > 0) {
          at = (await sql.begin((tx) => applyShadowBatch(tx, projection, events))) ?? at;
          replayed += events.length;
          options.onProgress?.({ phase: 'replaying', position: at, replayed });
        }
        if (events.length < batchSize) break;
      }
      await options.beforeSwitch?.();
      const switched = await switchToShadow(sql, store, projection, at, {
        batchSize,
        lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
      });
      replayed += switched.applied;
      options.onProgress?.({ phase: 'switched', position: switched.position, replayed });
      if (!options.keepOld) await sql.unsafe(`DROP SCHEMA ${switched.oldSchema} CASCADE`);
      return {
        position: switched.position,
        replayed,
        keptSchema: options.keepOld ? switched.oldSchema : null,
      };
    } catch (error) {
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${shadowSchema} CASCADE`).catch(() => {});
      throw error;
    } finally {
      await unlockProjection(lockConnection, rebuildLock).catch(() => {});
    }
  } finally {
    lockConnection.release();
  }
}
