import { type Bus, type CommandEnvelope, connectBus, type Responder } from '@switchboard/bus';
import { connectEventStore, createEventStore, type EventStore, migrate } from '@switchboard/event-store';
import type { RunningService } from '@switchboard/runtime';
import { succeeds } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { type CommandOutcome, CommandProcessor } from './command-processor.js';
import type { CommandHandlerConfig } from './config.js';
import { KeyedQueue } from './keyed-queue.js';
import { priorResult } from './prior-results.js';
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
 * domain's deciders and appends the events to the store.
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
    const eventStore = createEventStore({ sql });
    store = eventStore;
    const states = new StreamStates(eventStore, config.STATE_CACHE_STREAMS);
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
      }),
      async stop() {
        responderRunning = false;
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
