import { loadConfig } from '@switchboard/runtime';
import { describe, expect, it } from 'vitest';
import { assertProductionSafe, DEV_ADMIN_KEY, GatewayConfigSchema } from './config.js';

const env = {
  DATABASE_URL: 'postgres://x/y',
  ADMIN_KEY: DEV_ADMIN_KEY,
  SECRETS_KEY: 'ab'.repeat(32),
};

describe('gateway configuration', () => {
  it('defaults to listening on 127.0.0.1:3100', () => {
    const config = loadConfig(GatewayConfigSchema, env);
    expect([config.HOST, config.PORT]).toEqual(['127.0.0.1', 3100]);
  });

  it('allows the development admin key outside production', () => {
    expect(() => assertProductionSafe(loadConfig(GatewayConfigSchema, env))).not.toThrow();
  });

  it('refuses to start in production with the development admin key', () => {
    const config = loadConfig(GatewayConfigSchema, { ...env, NODE_ENV: 'production' });
    expect(() => assertProductionSafe(config)).toThrow(/ADMIN_KEY/);
  });

  it('refuses to start in production with the all-zero secrets key', () => {
    const config = loadConfig(GatewayConfigSchema, {
      ...env,
      NODE_ENV: 'production',
      ADMIN_KEY: 'a-real-admin-key',
      SECRETS_KEY: '0'.repeat(64),
    });
    expect(() => assertProductionSafe(config)).toThrow(/SECRETS_KEY/);
  });

  it('names a malformed secrets key', () => {
    expect(() => loadConfig(GatewayConfigSchema, { ...env, SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY/);
  });
});
