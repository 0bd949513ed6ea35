import { type Static, Type } from 'typebox';

export const RelayConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3102 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** PostgreSQL connections of this process (one is held by the leader lock, one listens for wake-ups). */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 3, default: 4 }),
  /** Events read from the store and published per batch; the checkpoint advances once per batch. */
  RELAY_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  /** Least time between two checkpoint writes while publishing, ms (the last one is always written). */
  RELAY_CHECKPOINT_INTERVAL_MS: Type.Optional(Type.Integer({ minimum: 0, default: 200 })),
  /** How often a standby tries to take the leader lock, and the leader checks it still holds it. */
  LEADER_RETRY_MS: Type.Integer({ minimum: 50, default: 1_000 }),
  /** How often the leader logs its lag behind the store's head (at debug). */
  LAG_LOG_INTERVAL_MS: Type.Integer({ minimum: 100, default: 10_000 }),
});

export type RelayConfig = Static<typeof RelayConfigSchema>;
