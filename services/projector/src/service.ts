import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import {
  coreProjection,
  migrateReadModels,
  projectionLockKey,
  readCheckpoint,
} from '@switchboard/read-models';
import { LeaderLock, type RunningService } from '@switchboard/runtime';
import { type Logger, observeGauge } from '@switchboard/telemetry';
import type { ProjectorConfig } from './config.js';
import { Projector } from './projector.js';

export interface RunningProjector extends RunningService {
  projector: Projector;
}

/**
 * The projector of the core read models: migrates the event store and the read models, then leads the
 * `core` projection (or stands by while another process leads it). No NATS: it reads `$all` from
 * PostgreSQL and writes the read models there, each batch with its checkpoint.
 */
export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<RunningProjector> {
  await migrate(config.DATABASE_URL);
  const sql = connectEventStore(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    connection: { application_name: 'projector' },
  });
  try {
    await migrateReadModels(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  const store = createEventStore({
    sql,
    upcasters: eventUpcasters,
    pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
  });
  const projector = new Projector({
    sql,
    store,
    lock: new LeaderLock(config.DATABASE_URL, projectionLockKey(coreProjection.name)),
    projection: coreProjection,
    logger,
    batchSize: config.PROJECTOR_BATCH_SIZE,
    standbyRetryMs: config.PROJECTOR_STANDBY_RETRY_MS,
    leaderCheckMs: config.PROJECTOR_LEADER_CHECK_MS,
  });
  projector.start();
  const lag = observeGauge(
    'switchboard_projection_lag_events',
    'Events appended to the store and not yet applied to the read models, by projection',
    async (record) => {
      const [head, checkpoint] = await Promise.all([
        store.headPosition(),
        readCheckpoint(sql, coreProjection.name),
      ]);
      // Global positions between the two: about the number of events still to apply.
      const behind = head ? Number(head.prepare - (checkpoint?.prepare ?? 0n)) : 0;
      record(Math.max(0, behind), { projection: coreProjection.name });
    },
  );

  return {
    projector,
    async ready() {
      let database = false;
      try {
        await sql`SELECT 1`;
        database = true;
      } catch {
        database = false;
      }
      const { role } = projector;
      return {
        database,
        elected: role === 'leader' || role === 'standby',
        subscription: role === 'standby' || (role === 'leader' && projector.following),
      };
    },
    async stop() {
      lag.remove();
      await projector.stop();
      await store.close();
      await sql.end({ timeout: 5 });
    },
  };
}
