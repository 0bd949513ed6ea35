import { type Bus, connectBus, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  migrate,
  type Position,
} from '@switchboard/event-store';
import type { RunningService } from '@switchboard/runtime';
import { succeeds } from '@switchboard/runtime';
import { type Logger, observeGauge } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { migrateRelay } from './checkpoint.js';
import type { RelayConfig } from './config.js';
import { Relay, type RelayRole } from './relay.js';

export interface RunningRelay extends RunningService {
  readonly bus: Bus;
  /** The relay's PostgreSQL pool; ending it is how a test kills a relay without stopping it. */
  readonly sql: postgres.Sql;
  /** 'leader' while this replica holds the lock and publishes. */
  role(): RelayRole;
  /** Position of the last event this replica published (or resumed after). */
  publishedPosition(): Position | undefined;
  /** Events this replica published since it started. */
  publishedCount(): number;
}

/**
 * The only publisher of the JetStream `EVENTS` stream. Every replica runs; the one holding the
 * PostgreSQL advisory lock publishes, the others stand by and take over when it dies.
 */
export async function startRelay(config: RelayConfig, logger: Logger): Promise<RunningRelay> {
  await migrate(config.DATABASE_URL);
  const sql = connectEventStore(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  let bus: Bus | undefined;
  let store: EventStore | undefined;
  try {
    await migrateRelay(sql);
    bus = await connectBus({ servers: config.NATS_URL, name: 'relay', namespace: config.NATS_NAMESPACE });
    await bus.ensureStream(eventsStream(bus.names));
    store = createEventStore({ sql, upcasters: eventUpcasters });
    const relay = new Relay({
      bus,
      store,
      sql,
      logger,
      batchSize: config.RELAY_BATCH_SIZE,
      checkpointIntervalMs: config.RELAY_CHECKPOINT_INTERVAL_MS ?? 200,
      leaderRetryMs: config.LEADER_RETRY_MS,
      lagLogIntervalMs: config.LAG_LOG_INTERVAL_MS,
    });
    relay.start();
    const connectedBus = bus;
    const eventStore = store;
    const lag = observeGauge(
      'switchboard_relay_lag_events',
      'Events appended to the store and not yet published to EVENTS (reported by the leader)',
      async (record) => {
        if (relay.role === 'leader') record((await relay.lag()).behind);
      },
    );

    return {
      bus: connectedBus,
      sql,
      role: () => relay.role,
      publishedPosition: () => relay.publishedPosition,
      publishedCount: () => relay.publishedCount,
      // Leader and standby are both ready; the key that is present says which one this is.
      ready: async () => ({
        nats: !connectedBus.nc.isClosed(),
        database: await succeeds(() => sql`SELECT 1`),
        relay: relay.running,
        [relay.role === 'leader' ? 'leader' : 'standby']: true,
      }),
      async stop() {
        lag.remove();
        await relay.stop();
        await eventStore.close();
        await connectedBus.close();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (err) {
    await store?.close().catch(() => {});
    await bus?.close().catch(() => {});
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
}
