import { type Static, Type } from 'typebox';

export const ProjectorConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  HEALTH_HOST: Type.String({ default: '127.0.0.1' }),
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3103 }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  /** Most events applied in one transaction. */
  PROJECTOR_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 5000, default: 512 }),
  /**
   * Longest a caught-up leader waits before reading `$all` again without a wake-up. Appends do not all
   * send one (see the event store's migrations), so this bounds the tail of the projection lag.
   */
  PROJECTOR_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 100 }),
  /** How often a standby tries to take the lead. */
  PROJECTOR_STANDBY_RETRY_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** How often the leader checks it still holds its lock and, when idle, that no one moved its checkpoint. */
  PROJECTOR_LEADER_CHECK_MS: Type.Integer({ minimum: 10, default: 2000 }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 2, default: 4 }),
});

export type ProjectorConfig = Static<typeof ProjectorConfigSchema>;
