import type { Subscription } from '@nats-io/nats-core';
import { type Bus, type ConsumerHandle, connectBus, eventsStream } from '@switchboard/bus';
import { adapterFor, defaultApiBaseUrls, type KnownChannel } from '@switchboard/channel-registry';
import { SecretBox } from '@switchboard/crypto';
import { connectEventStore } from '@switchboard/event-store';
import { migrateReadModels, ProjectionWaiter } from '@switchboard/read-models';
import { type RunningService, succeeds } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import { ChannelSender } from './channel-sender.js';
import type { ConnectorConfig } from './config.js';
import { DeliveryCommands } from './delivery-commands.js';
import { Outbound } from './outbound.js';
import { defaultPacing, Pacer, sleep } from './pacing.js';
import { httpTransport, type ProviderTransport, smtpTransport } from './provider-transport.js';
import { TeamsTokens } from './teams-tokens.js';
import { forwardTyping } from './typing.js';

export interface RunningConnector extends RunningService {
  readonly channel: KnownChannel;
  readonly bus: Bus;
  /** The durable consumer's name on `EVENTS`. */
  readonly durable: string;
}

/** The provider base URL this connector calls: `<CHANNEL>_API_BASE_URL`, else the provider's own. */
export function apiBaseUrl(config: ConnectorConfig): string {
  const variable = `${config.CHANNEL.toUpperCase()}_API_BASE_URL` as keyof ConnectorConfig;
  const configured = config[variable];
  return typeof configured === 'string' ? configured : defaultApiBaseUrls[config.CHANNEL];
}

/**
 * `connector-<channel>`: delivers the bot's messages of conversations linked to one channel, through
 * that channel's provider, and records every delivery. Consumes `EVENTS` with the durable consumer
 * `connector-<channel>` (filter `evt.*.conversation.*.MessagePosted`; new messages only when first
 * created, so a connector deployed late does not send a week of history), forwards typing signals.
 */
export async function startConnector(config: ConnectorConfig, logger: Logger): Promise<RunningConnector> {
  const channel = config.CHANNEL;
  const adapter = adapterFor(channel);
  if (!adapter) throw new Error(`CHANNEL: unknown channel ${channel}`);
  const secrets = new SecretBox(config.SECRETS_KEY);
  const sql = connectEventStore(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    connection: { application_name: `connector-${channel}` },
  });
  const stopping = new AbortController();
  const pause = (ms: number) => sleep(ms, stopping.signal);
  let bus: Bus | undefined;
  const projection = new ProjectionWaiter(sql);
  try {
    await migrateReadModels(sql);
    await projection.start();
    bus = await connectBus({
      servers: config.NATS_URL,
      name: `connector-${channel}`,
      namespace: config.NATS_NAMESPACE,
    });
    await bus.ensureStream(eventsStream(bus.names));

    const transport: ProviderTransport =
      channel === 'email'
        ? smtpTransport(config.PROVIDER_TIMEOUT_MS, { host: config.SMTP_HOST, port: config.SMTP_PORT })
        : httpTransport(apiBaseUrl(config), config.PROVIDER_TIMEOUT_MS);
    const pacing = defaultPacing(channel);
    const burst = config.RATE_CHAT_BURST ?? pacing.perChat.burst;
    const sender = new ChannelSender({
      channel,
      adapter,
      transport,
      ...(channel === 'teams'
        ? {
            teamsTokens: new TeamsTokens(
              httpTransport(config.TEAMS_LOGIN_BASE_URL, config.PROVIDER_TIMEOUT_MS),
            ),
          }
        : {}),
      pacing: {
        perBot: new Pacer({
          ratePerSecond: config.RATE_PER_BOT_PER_SECOND ?? pacing.perBot.ratePerSecond,
          burst: pacing.perBot.burst,
        }),
        perChat: new Pacer({
          ratePerSecond: config.RATE_PER_CHAT_PER_SECOND ?? pacing.perChat.ratePerSecond,
          burst,
        }),
      },
      attempts: config.SEND_ATTEMPTS,
      retryInitialMs: config.RETRY_INITIAL_MS,
      retryMaxMs: config.RETRY_MAX_MS,
      sleep: pause,
    });
    const connectedBus = bus;
    const outbound = new Outbound({
      channel,
      sql,
      secrets,
      commands: new DeliveryCommands(connectedBus, `connector-${channel}`, config.COMMAND_TIMEOUT_MS, pause),
      sender,
      projection,
      projectionWaitMs: config.PROJECTION_WAIT_MS,
      logger,
      signal: stopping.signal,
    });
    const durable = `connector-${channel}`;
    const consumer: ConsumerHandle = await connectedBus.consume({
      stream: connectedBus.names.streams.events,
      durable,
      filterSubject: `${connectedBus.names.events().slice(0, -1)}*.conversation.*.MessagePosted`,
      deliverPolicy: 'new',
      // Retries happen inside the handler (the conversation's order holds); these are for crashes
      // and for read models that lag behind.
      maxDeliver: 20,
      ackWaitMs: 30_000,
      retry: { initialMs: 1_000, maxMs: 30_000 },
      concurrency: config.CONVERSATIONS_IN_PARALLEL,
      handler: (msg) => outbound.handle(msg),
      onError: (err) => logger.error({ err }, 'outbound message failed'),
    });
    let consuming = true;
    void consumer.done.then((err) => {
      consuming = false;
      if (err) logger.error({ err }, 'outbound consumer stopped');
    });
    const typing: Subscription | null = adapter.supportsTyping
      ? forwardTyping({ bus: connectedBus, channel, sql, secrets, sender, logger })
      : null;
    logger.info(
      { channel, durable, baseUrl: channel === 'email' ? undefined : apiBaseUrl(config) },
      'connector started',
    );

    return {
      channel,
      bus: connectedBus,
      durable,
      ready: async () => ({
        nats: !connectedBus.nc.isClosed(),
        database: await succeeds(() => sql`SELECT 1`),
        consumer: consuming,
      }),
      async stop() {
        typing?.unsubscribe();
        // Waits (backoff, pacing) end now: their messages go back to the stream for another replica.
        stopping.abort(new Error('connector stopping'));
        await consumer.stop();
        await projection.stop();
        await connectedBus.close();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (err) {
    stopping.abort();
    await projection.stop().catch(() => {});
    await bus?.close().catch(() => {});
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
}
