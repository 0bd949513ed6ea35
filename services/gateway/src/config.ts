import { type Static, Type } from 'typebox';

export const GatewayConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3100 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_NAMESPACE: Type.String({ default: '', pattern: '^[a-z0-9]*$' }),
  ADMIN_KEY: Type.String({ minLength: 8 }),
  SECRETS_KEY: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  ALLOW_ANONYMOUS_SYNC: Type.Boolean({ default: false }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  READ_YOUR_WRITES_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 2_000 }),
  /**
   * The gateway's public base URL as providers call it (e.g. https://chat.example.com), when a proxy
   * in front changes the scheme or host: Twilio signs the URL it called. Unset: taken from the request.
   */
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Bot Framework's OpenID metadata, whose `jwks_uri` lists the keys that sign Teams activities. */
  TEAMS_OPENID_METADATA_URL: Type.String({
    pattern: '^https?://',
    default: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  }),
});

export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export const DEV_ADMIN_KEY = 'dev-admin-key';

/** Production must not run with the key every checkout of the repository knows. */
export function assertProductionSafe(config: GatewayConfig): void {
  if (config.NODE_ENV === 'production' && config.ADMIN_KEY === DEV_ADMIN_KEY) {
    throw new Error('ADMIN_KEY: the development default cannot be used when NODE_ENV=production');
  }
  if (config.NODE_ENV === 'production' && /^0+$/.test(config.SECRETS_KEY)) {
    throw new Error('SECRETS_KEY: the all-zero development key cannot be used when NODE_ENV=production');
  }
}
