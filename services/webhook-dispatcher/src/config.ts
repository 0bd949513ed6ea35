import { type Static, Type } from 'typebox';

const HOUR = 60 * 60_000;

export const DispatcherConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3104 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** Opens the webhook tokens sealed by the gateway (64 hex characters). */
  SECRETS_KEY: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 3, default: 10 }),
  /** Deliver to private, loopback and link-local addresses too (local runs and tests only). */
  WEBHOOKS_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  /** How long a delivery is retried, counted from when its event was recorded; then it is dead-lettered. */
  WEBHOOK_RETRY_WINDOW_MS: Type.Integer({ minimum: 0, default: 24 * HOUR }),
  /** One attempt's time limit, connection to last byte of the answer. */
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /** Ceiling of the delay after the first failed attempt; it doubles per attempt (with jitter). */
  WEBHOOK_BACKOFF_INITIAL_MS: Type.Integer({ minimum: 1, default: 1_000 }),
  WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ minimum: 1, default: HOUR }),
  /** HTTP attempts in flight in this process, all webhooks together. */
  WEBHOOK_MAX_IN_FLIGHT: Type.Integer({ minimum: 1, default: 256 }),
  /** HTTP attempts in flight to one webhook in this process: a hanging webhook holds at most this many. */
  WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK: Type.Integer({ minimum: 1, default: 16 }),
  /**
   * How long a claimed delivery stays reserved beyond its attempt's time limit: after a crash, another
   * replica retries it once the reservation lapses (at-least-once).
   */
  WEBHOOK_LEASE_MARGIN_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  /** Longest the scheduler sleeps without a wake-up before looking for due deliveries again. */
  WEBHOOK_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 1_000 }),
  /**
   * The express lane: a fresh delivery whose queue has nothing in the database is sent from memory
   * and written once, when finished. This long its queue may wait in memory for its turn before it
   * moves to the database (a slow webhook must not hold back the log). 0 turns the lane off: every
   * delivery is a row before its first attempt.
   */
  WEBHOOK_EXPRESS_HOLD_MS: Type.Integer({ minimum: 0, default: 2_000 }),
  /** Events recorded per transaction (and unacknowledged JetStream messages held by the recorder). */
  RECORD_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 4096, default: 256 }),
  /** How often a standby recorder tries to take the lead, and the leader checks it still has it. */
  LEADER_RETRY_MS: Type.Integer({ minimum: 50, default: 1_000 }),
  /** Delivered and failed deliveries (and their attempts) older than this are deleted; 0 keeps them. */
  WEBHOOK_HISTORY_DAYS: Type.Integer({ minimum: 0, default: 30 }),
});

export type DispatcherConfig = Static<typeof DispatcherConfigSchema>;
