import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import { coreProjection, migrateReadModels } from '@switchboard/read-models';
import type { RunningService } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import type { ProjectorConfig } from './config.js';
import { LeaderLock } from './leader-lock.js';
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
  const store = createEventStore({ sql, pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS });
  const projector = new Projector({
    sql,
    store,
    lock: new LeaderLock(config.DATABASE_URL, coreProjection.name),
    projection: coreProjection,
    logger,
    batchSize: config.PROJECTOR_BATCH_SIZE,
    standbyRetryMs: config.PROJECTOR_STANDBY_RETRY_MS,
    leaderCheckMs: config.PROJECTOR_LEADER_CHECK_MS,
  });
  projector.start();

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
      await projector.stop();
      await store.close();
      await sql.end({ timeout: 5 });
    },
  };
}
