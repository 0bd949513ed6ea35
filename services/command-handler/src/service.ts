import {
  type Bus,
  type CommandEnvelope,
  type ConsumerHandle,
  connectBus,
  type Responder,
} from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore, migrate } from '@switchboard/event-store';
import { migrateReadModels } from '@switchboard/read-models';
import type { RunningService } from '@switchboard/runtime';
import { succeeds } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { type CommandOutcome, CommandProcessor } from './command-processor.js';
import { type CommandHandlerConfig, DEFAULT_SNAPSHOT_EVERY } from './config.js';
import { startInboxConsumer } from './inbox-consumer.js';
import { KeyedQueue } from './keyed-queue.js';
import { priorResult } from './prior-results.js';
import { migrateSnapshots, SnapshotStore } from './snapshots.js';
import { StreamStates } from './stream-states.js';

/** The queue group every command-handler process joins: each command is handled by one of them. */
export const COMMAND_HANDLER_QUEUE = 'command-handler';

export interface RunningCommandHandler extends RunningService {
  readonly bus: Bus;
  readonly store: EventStore;
  /** Handles one command in this process, as the responder does (for tests and tools). */
  handle(envelope: CommandEnvelope): Promise<CommandOutcome>;
  /** Streams whose state is cached in this process. */
  cachedStreams(): number;
  /** Appends refused because another writer moved the stream first (the command was decided again). */
  conflicts(): number;
}

/**
 * Serves every command (`cmd.>`) as a member of the `command-handler` queue group: decides it with the
 * domain's deciders and appends the events to the store. Also turns the inbound channel traffic of
 * `INBOX` into commands, decided in this process (see inbox-consumer.ts).
 */
export async function startCommandHandler(
  config: CommandHandlerConfig,
  logger: Logger,
): Promise<RunningCommandHandler> {
  await migrate(config.DATABASE_URL);
  const sql = connectEventStore(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  let bus: Bus | undefined;
  let store: EventStore | undefined;
  try {
    bus = await connectBus({
      servers: config.NATS_URL,
      name: 'command-handler',
      namespace: config.NATS_NAMESPACE,
    });
    const eventStore = createEventStore({ sql, upcasters: eventUpcasters });
    store = eventStore;
    await migrateSnapshots(sql);
    const snapshots = new SnapshotStore(sql, config.SNAPSHOT_EVERY ?? DEFAULT_SNAPSHOT_EVERY, (err, stream) =>
      logger.warn({ err, stream }, 'could not store a snapshot'),
    );
    const states = new StreamStates(eventStore, config.STATE_CACHE_STREAMS, { snapshots });
    const processor = new CommandProcessor({
      store: eventStore,
      states,
      queue: new KeyedQueue(),
      priorResult: (commandId, stream) => priorResult(sql, commandId, stream),
      appendAttempts: config.APPEND_ATTEMPTS,
    });
    let responderRunning = true;
    const responder: Responder = bus.serve(
      bus.names.commands(),
      {
        queue: COMMAND_HANDLER_QUEUE,
        concurrency: config.COMMAND_CONCURRENCY,
        onError: (err, msg) => logger.error({ err, subject: msg.subject }, 'command failed'),
      },
      (envelope) => processor.handle(envelope),
    );
    logger.info({ subject: responder.subject, queue: responder.queue }, 'serving commands');
    const connectedBus = bus;
    // The inbox consumer reads the read models (choices a reply answers, deliveries of status callbacks).
    await migrateReadModels(sql);
    const inbox: ConsumerHandle = await startInboxConsumer({
      bus: connectedBus,
      sql,
      handle: (envelope) => processor.handle(envelope),
      logger,
      concurrency: config.INBOX_CONCURRENCY ?? 16,
    });
    let inboxRunning = true;
    void inbox.done.then((err) => {
      inboxRunning = false;
      if (err) logger.error({ err }, 'inbox consumer stopped');
    });

    return {
      bus: connectedBus,
      store: eventStore,
      handle: (envelope) => processor.handle(envelope),
      cachedStreams: () => states.cachedStreams,
      conflicts: () => processor.conflicts,
      ready: async () => ({
        nats: !connectedBus.nc.isClosed(),
        database: await succeeds(() => sql`SELECT 1`),
        responder: responderRunning,
        inbox: inboxRunning,
      }),
      async stop() {
        responderRunning = false;
        // Inbound items being handled finish (their commands need the store), the rest stay in INBOX.
        await inbox.stop();
        // In-flight commands finish and are answered before the connections close.
        await responder.stop();
        await connectedBus.close();
        await eventStore.close();
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
