import { describe, expect, it } from 'vitest';
import {
  commandEnvelope,
  decodeCommandEnvelope,
  decodeCommandReply,
  encodeJson,
  MalformedMessageError,
} from './envelope.js';

describe('command envelopes', () => {
  it('round-trips through JSON', () => {
    const env = commandEnvelope({
      type: 'PostMessage',
      tenant: 'acme',
      payload: { text: 'hi' },
      metadata: { actor: 'u1', idempotencyKey: 'k1' },
    });
    expect(env.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(env.metadata.correlationId).toBe(env.commandId);
    expect(decodeCommandEnvelope(encodeJson(env))).toEqual(env);
  });

  it('keeps a given command id and correlation id', () => {
    const env = commandEnvelope({
      commandId: 'c1',
      type: 'T',
      tenant: 'acme',
      payload: null,
      metadata: { correlationId: 'corr' },
    });
    expect(env).toMatchObject({ commandId: 'c1', metadata: { correlationId: 'corr' } });
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope')],
    ['not an object', encodeJson([1, 2])],
    ['no commandId', encodeJson({ type: 'T', tenant: 'a', payload: 1, metadata: { correlationId: 'c' } })],
    ['no payload', encodeJson({ commandId: 'x', type: 'T', tenant: 'a', metadata: { correlationId: 'c' } })],
    ['no correlation id', encodeJson({ commandId: 'x', type: 'T', tenant: 'a', payload: 1, metadata: {} })],
    [
      'a non-string actor',
      encodeJson({
        commandId: 'x',
        type: 'T',
        tenant: 'a',
        payload: 1,
        metadata: { correlationId: 'c', actor: 5 },
      }),
    ],
  ])('refuses an envelope with %s', (_what, data) => {
    expect(() => decodeCommandEnvelope(data)).toThrow(MalformedMessageError);
  });

  it('decodes each reply status and refuses unknown or incomplete ones', () => {
    expect(decodeCommandReply(encodeJson({ status: 'ok', result: { id: 1 } }))).toEqual({
      status: 'ok',
      result: { id: 1 },
    });
    expect(decodeCommandReply(encodeJson({ status: 'conflict', message: 'm' })).status).toBe('conflict');
    expect(() => decodeCommandReply(encodeJson({ status: 'maybe' }))).toThrow(MalformedMessageError);
    expect(() => decodeCommandReply(encodeJson({ status: 'rejected', message: 'm' }))).toThrow(/no code/);
    expect(() => decodeCommandReply(encodeJson({ status: 'not_found' }))).toThrow(/no message/);
  });
});
