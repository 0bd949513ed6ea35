import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const schema = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1 }),
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3100 }),
  ALLOW_ANONYMOUS_SYNC: Type.Boolean({ default: false }),
});

describe('loadConfig', () => {
  it('converts numbers and booleans and fills defaults', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x', ALLOW_ANONYMOUS_SYNC: 'true' });
    expect(config).toEqual({ DATABASE_URL: 'postgres://x', PORT: 3100, ALLOW_ANONYMOUS_SYNC: true });
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(/DATABASE_URL: is required/);
  });

  it('names a malformed variable', () => {
    try {
      loadConfig(schema, { DATABASE_URL: 'postgres://x', PORT: 'eighty' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join()).toMatch(/^PORT: /);
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { DATABASE_URL: 'postgres://x', PORT: '' }).PORT).toBe(3100);
  });
});
