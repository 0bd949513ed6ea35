import { type Bus, type ConsumerHandle, connectBus, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import { migrateReadModels, ProjectionWaiter } from '@switchboard/read-models';
import { type RunningService, succeeds } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import { broadcastRequests } from './broadcast-requests.js';
import type { BroadcasterConfig } from './config.js';
import { FanOut, type FanOutStep } from './fan-out.js';

/** The durable consumer on `EVENTS` every replica shares. */
export const BROADCASTER_DURABLE = 'broadcaster';

export interface RunningBroadcaster extends RunningService {
  readonly bus: Bus;
}

/**
 * `broadcaster`: fans broadcasts out to their recipients (fan-out.ts). Consumes `EVENTS` with the
 * durable consumer `broadcaster` (filter `evt.*.broadcast.*.BroadcastRequested`), several broadcasts at
 * once, each one acknowledged when it is sent. Writes to the event store directly: a batch of delivery
 * records is one transaction over many streams, which a single command cannot be.
 */
export async function startBroadcaster(
  config: BroadcasterConfig,
  logger: Logger,
  hooks: { onStep?: (step: FanOutStep) => void | Promise<void> } = {},
): Promise<RunningBroadcaster> {
  await migrate(config.DATABASE_URL);
  const sql = connectEventStore(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    connection: { application_name: 'broadcaster' },
  });
  const stopping = new AbortController();
  let bus: Bus | undefined;
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  const projection = new ProjectionWaiter(sql);
  try {
    await migrateReadModels(sql);
    await projection.start();
    bus = await connectBus({
      servers: config.NATS_URL,
      name: 'broadcaster',
      namespace: config.NATS_NAMESPACE,
    });
    await bus.ensureStream(eventsStream(bus.names));
    const fanOut = new FanOut({
      store,
      sql,
      batchSize: config.BATCH_SIZE,
      // One connection stays free for the batch's append transaction.
      deliveryConcurrency: Math.min(config.DELIVERY_CONCURRENCY, config.DATABASE_POOL_SIZE - 1),
      onStep: async (step) => {
        logger.debug(step, 'broadcast step stored');
        await hooks.onStep?.(step);
      },
    });
    const connectedBus = bus;
    const consumer: ConsumerHandle = await connectedBus.consume({
      stream: connectedBus.names.streams.events,
      durable: BROADCASTER_DURABLE,
      filterSubject: `${connectedBus.names.events().slice(0, -1)}*.broadcast.*.BroadcastRequested`,
      // A broadcaster deployed late still sends the broadcasts requested meanwhile (EVENTS keeps a week);
      // sent ones are acknowledged after one read of their stream.
      deliverPolicy: 'all',
      maxDeliver: 20,
      ackWaitMs: 30_000,
      retry: { initialMs: 1_000, maxMs: 30_000 },
      concurrency: config.BROADCASTS_IN_PARALLEL,
      // Room for several replicas, each taking up to its own BROADCASTS_IN_PARALLEL.
      maxAckPending: config.BROADCASTS_IN_PARALLEL * 8,
      handler: broadcastRequests({
        fanOut,
        projection,
        projectionWaitMs: config.PROJECTION_WAIT_MS,
        logger,
        signal: stopping.signal,
      }),
      onError: (err) => logger.error({ err }, 'broadcast failed'),
    });
    let consuming = true;
    void consumer.done.then((err) => {
      consuming = false;
      if (err) logger.error({ err }, 'broadcast consumer stopped');
    });
    logger.info({ durable: BROADCASTER_DURABLE, batchSize: config.BATCH_SIZE }, 'broadcaster started');

    return {
      bus: connectedBus,
      ready: async () => ({
        nats: !connectedBus.nc.isClosed(),
        database: await succeeds(() => sql`SELECT 1`),
        consumer: consuming,
      }),
      async stop() {
        // Broadcasts in hand stop after their current step and go back to the stream for another replica.
        stopping.abort(new Error('broadcaster stopping'));
        await consumer.stop();
        await projection.stop();
        await connectedBus.close();
        await store.close();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (err) {
    stopping.abort();
    await projection.stop().catch(() => {});
    await bus?.close().catch(() => {});
    await store.close().catch(() => {});
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
}
