import { MAX_RECIPIENTS_PER_BATCH } from '@switchboard/contracts';
import { type Static, Type } from 'typebox';

export const BroadcasterConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3105 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 2, default: 10 }),
  /** Broadcasts fanned out at once by this process. */
  BROADCASTS_IN_PARALLEL: Type.Integer({ minimum: 1, default: 4 }),
  /** Recipients per append transaction (their delivery records, then their outcomes). */
  BATCH_SIZE: Type.Integer({ minimum: 1, maximum: MAX_RECIPIENTS_PER_BATCH, default: 500 }),
  /** Users whose connection is read at once while a batch is delivered. */
  DELIVERY_CONCURRENCY: Type.Integer({ minimum: 1, default: 16 }),
  /** How long to wait for the read models to reach a broadcast before handing it back for later. */
  PROJECTION_WAIT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
});

export type BroadcasterConfig = Static<typeof BroadcasterConfigSchema>;
