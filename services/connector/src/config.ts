import type { KnownChannel } from '@switchboard/channel-registry';
import { type Static, Type } from 'typebox';

const BaseUrl = Type.Optional(Type.String({ pattern: '^https?://' }));

/**
 * One binary for every channel: `CHANNEL` says which one this process serves (deploy one
 * `connector-<channel>` per channel). Each channel's provider base URL has its own variable, so one
 * environment file can serve them all; unset means the provider's real API.
 */
export const ConnectorConfigSchema = Type.Object({
  CHANNEL: Type.Union([
    Type.Literal('telegram'),
    Type.Literal('slack'),
    Type.Literal('twilio'),
    Type.Literal('vonage'),
    Type.Literal('messenger'),
    Type.Literal('teams'),
    Type.Literal('smooch'),
    Type.Literal('email'),
  ]),
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  /** Opens the clients' sealed channel configurations. */
  SECRETS_KEY: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3110 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, default: 5 }),

  TELEGRAM_API_BASE_URL: BaseUrl,
  SLACK_API_BASE_URL: BaseUrl,
  TWILIO_API_BASE_URL: BaseUrl,
  VONAGE_API_BASE_URL: BaseUrl,
  MESSENGER_API_BASE_URL: BaseUrl,
  TEAMS_API_BASE_URL: BaseUrl,
  SMOOCH_API_BASE_URL: BaseUrl,
  /** Where the Teams connector obtains its Bot Framework tokens (Microsoft Entra ID). */
  TEAMS_LOGIN_BASE_URL: Type.String({ pattern: '^https?://', default: 'https://login.microsoftonline.com' }),
  /** E-mail: send through this SMTP host and port instead of the client's configured ones (a local relay). */
  SMTP_HOST: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),

  /** Messages handled at once; messages of one conversation always go one after the other. */
  CONVERSATIONS_IN_PARALLEL: Type.Integer({ minimum: 1, default: 16 }),
  /** Provider calls per request before the delivery is recorded failed (retryable). */
  SEND_ATTEMPTS: Type.Integer({ minimum: 1, default: 6 }),
  /** First backoff after a transient failure without Retry-After; doubles each attempt. */
  RETRY_INITIAL_MS: Type.Integer({ minimum: 0, default: 1_000 }),
  /** Longest single wait, Retry-After included: a provider asking for more is recorded failed (retryable). */
  RETRY_MAX_MS: Type.Integer({ minimum: 0, default: 60_000 }),
  PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  /** How long to wait for the read models to reach a message before handing it back for later. */
  PROJECTION_WAIT_MS: Type.Integer({ minimum: 0, default: 5_000 }),
  /**
   * Pacing below the providers' own limits (0: none). Unset means the channel's default: Telegram
   * 30 messages/s per bot and 1/s per chat (bursts of 3); Slack 1/s per channel (bursts of 3).
   */
  RATE_PER_BOT_PER_SECOND: Type.Optional(Type.Number({ minimum: 0 })),
  RATE_PER_CHAT_PER_SECOND: Type.Optional(Type.Number({ minimum: 0 })),
  RATE_CHAT_BURST: Type.Optional(Type.Integer({ minimum: 1 })),
});

export type ConnectorConfig = Static<typeof ConnectorConfigSchema>;

// Every channel the registry knows can be started, and nothing else.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _everyChannel: Same<ConnectorConfig['CHANNEL'], KnownChannel> = true;
void _everyChannel;
