import { type Bus, connectBus, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import { migrateReadModels } from '@switchboard/read-models';
import { LeaderLock, type RunningService } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { DispatcherConfig } from './config.js';
import { ConversationFactsCache } from './conversation-facts.js';
import { pruneHistory } from './history-pruner.js';
import { Recorder } from './recorder.js';
import { RecorderLeadership, type RecorderRole } from './recorder-leadership.js';
import { Scheduler, type SchedulerStats } from './scheduler.js';
import { DUE_CHANNEL, migrateDispatch } from './schema.js';
import { WebhookSender } from './webhook-sender.js';

export interface RunningWebhookDispatcher extends RunningService {
  readonly sql: postgres.Sql;
  readonly bus: Bus;
  recorderRole(): RecorderRole;
  /** Events read from EVENTS and recorded by this replica (delivered to webhooks or not). */
  recordedCount(): number;
  stats(): SchedulerStats;
}

const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Delivers every client's events to its webhooks: a recorder (one replica at a time) turns `EVENTS`
 * into delivery rows, and every replica's scheduler sends them, signed, retried and dead-lettered.
 */
export async function startWebhookDispatcher(
  config: DispatcherConfig,
  logger: Logger,
): Promise<RunningWebhookDispatcher> {
  const secrets = new SecretBox(config.SECRETS_KEY);
  await migrate(config.DATABASE_URL);
  const sql = connectEventStore(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    connection: { application_name: 'webhook-dispatcher' },
  });
  const cleanups: (() => Promise<unknown>)[] = [() => sql.end({ timeout: 5 })];
  const cleanUp = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    await migrateReadModels(sql);
    await migrateDispatch(sql);
    const bus = await connectBus({
      servers: config.NATS_URL,
      name: 'webhook-dispatcher',
      namespace: config.NATS_NAMESPACE,
    });
    cleanups.push(() => bus.close());
    await bus.ensureStream(eventsStream(bus.names));
    await seedWebhooks(sql, bus.names.streams.events);

    const sender = new WebhookSender({
      allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    });
    cleanups.push(() => sender.close());
    // The scheduler's writes are commits without waiting for the disk: one lost in a crash only
    // means an attempt made again (at-least-once), and the periodic repair restarts a stalled queue.
    // What the recorder writes must be durable before EVENTS is acknowledged: it keeps the other pool.
    const deliverySql = connectEventStore(config.DATABASE_URL, {
      max: config.DATABASE_POOL_SIZE,
      connection: { application_name: 'webhook-dispatcher-delivery', synchronous_commit: 'off' },
    });
    cleanups.push(() => deliverySql.end({ timeout: 5 }));
    const scheduler = new Scheduler({
      sql: deliverySql,
      durableSql: sql,
      sender,
      openToken: (sealed) => secrets.decrypt(sealed),
      logger,
      maxInFlight: config.WEBHOOK_MAX_IN_FLIGHT,
      perWebhook: config.WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      leaseMarginMs: config.WEBHOOK_LEASE_MARGIN_MS,
      pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
      backoff: { initialMs: config.WEBHOOK_BACKOFF_INITIAL_MS, maxMs: config.WEBHOOK_BACKOFF_MAX_MS },
      holdMs: config.WEBHOOK_EXPRESS_HOLD_MS,
    });
    const recorder = new Recorder({
      sql,
      bus,
      facts: new ConversationFactsCache(createEventStore({ sql, upcasters: eventUpcasters })),
      logger,
      batchSize: config.RECORD_BATCH_SIZE,
      retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
      onRecorded: () => scheduler.notify(),
      ...(config.WEBHOOK_EXPRESS_HOLD_MS > 0 ? { express: scheduler } : {}),
    });
    const leadership = new RecorderLeadership(
      new LeaderLock(config.DATABASE_URL, {
        name: `switchboard:webhook-recorder:${bus.names.streams.events}`,
      }),
      recorder,
      logger,
      config.LEADER_RETRY_MS,
    );
    // Other replicas and the CLI's re-drive announce due deliveries.
    const listening = await sql.listen(DUE_CHANNEL, () => scheduler.notify());
    cleanups.push(() => listening.unlisten());

    scheduler.start();
    leadership.start();

    const prune = () =>
      pruneHistory(sql, config.WEBHOOK_HISTORY_DAYS).catch((err: unknown) =>
        logger.error({ err }, 'pruning webhook delivery history failed'),
      );
    void prune();
    const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
    pruneTimer.unref();

    return {
      sql,
      bus,
      recorderRole: () => leadership.role,
      recordedCount: () => recorder.recordedCount,
      stats: () => scheduler.stats,
      async ready() {
        let database = false;
        try {
          await sql`SELECT 1`;
          database = true;
        } catch {
          database = false;
        }
        const role = leadership.role;
        return {
          nats: !bus.nc.isClosed(),
          database,
          scheduler: scheduler.running,
          recorder: role === 'standby' || (role === 'leader' && recorder.consuming),
        };
      },
      async stop() {
        clearInterval(pruneTimer);
        // Both at once: the scheduler takes no new work while the recorder settles what it took (its
        // express queues go to the database); the attempts in flight finish and are recorded.
        // Both are waited for even when one fails: the connections close only after.
        const stopped = await Promise.allSettled([leadership.stop(), scheduler.stop()]);
        await cleanUp();
        for (const s of stopped) if (s.status === 'rejected') throw s.reason;
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/**
 * On the very first start (no checkpoint yet) the webhooks already configured are taken from the read
 * model: EVENTS keeps a week, so their WebhookAdded may be gone from it.
 */
async function seedWebhooks(sql: postgres.Sql, stream: string): Promise<void> {
  await sql`
    INSERT INTO dispatch.webhooks (id, client_id, url, token_sealed, added_at)
    SELECT id, client_id, url, token_sealed, created_at FROM rm.webhooks
    WHERE NOT EXISTS (SELECT 1 FROM dispatch.recorder_checkpoints WHERE stream = ${stream})
    ON CONFLICT (id) DO NOTHING`;
}
