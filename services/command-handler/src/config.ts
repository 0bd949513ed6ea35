import { type Static, Type } from 'typebox';

export const DEFAULT_SNAPSHOT_EVERY = 1_000;

export const CommandHandlerConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3101 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** PostgreSQL connections of this process. */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, default: 10 }),
  /** Commands handled at once by this process (across all streams). */
  COMMAND_CONCURRENCY: Type.Integer({ minimum: 1, default: 64 }),
  /** Streams whose folded state this process keeps in memory. */
  STATE_CACHE_STREAMS: Type.Integer({ minimum: 0, default: 10_000 }),
  /**
   * Events folded into a stream's state between two snapshots of it (0: no snapshots). A stream not in
   * the cache then costs at most this many events to load, however long it is.
   */
  SNAPSHOT_EVERY: Type.Optional(Type.Integer({ minimum: 0, default: DEFAULT_SNAPSHOT_EVERY })),
  /** Inbound channel items (INBOX) handled at once; one conversation's still go one after the other. */
  INBOX_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, default: 16 })),
  /** Decide-and-append attempts of one command when another writer moved the stream in between. */
  APPEND_ATTEMPTS: Type.Integer({ minimum: 1, default: 10 }),
});

export type CommandHandlerConfig = Static<typeof CommandHandlerConfigSchema>;
