import { describe, expect, it } from 'vitest';
import { eventIssues, eventSchemas, eventSchemaVersions, InvalidEventError, toDomainEvent } from './index.js';

const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';
const conversationId = '2d703c5e-af41-4e69-9c83-4b3f90bd5e72';
const messageId = '3e814d6f-b052-4f7a-8d94-5c40a1ce6f83';

const posted = {
  messageId,
  conversationId,
  clientId,
  sequence: 1,
  authorId: null,
  authorKind: 'bot',
  payload: { type: 'text', text: 'hi' },
  payloadType: 'text',
  payloadKnown: true,
  source: 'api',
  collect: false,
  sentOn: '2026-01-02T03:04:05.678Z',
};

describe('event schemas', () => {
  it('have a schema version for every event type', () => {
    expect(Object.keys(eventSchemaVersions).sort()).toEqual(Object.keys(eventSchemas).sort());
  });

  it('turn well-formed stored data into a typed event', () => {
    expect(toDomainEvent('MessagePosted', posted)).toEqual({ type: 'MessagePosted', data: posted });
  });

  it('refuse stored data that does not fit, naming the fields', () => {
    const broken = { ...posted, sequence: 0, sentOn: 'yesterday' };
    expect(eventIssues('MessagePosted', broken).map((issue) => issue.path)).toEqual(['/sequence', '/sentOn']);
    expect(() => toDomainEvent('MessagePosted', broken)).toThrow(InvalidEventError);
  });

  it('refuse an unknown event type', () => {
    expect(() => toDomainEvent('MessageExploded', {})).toThrow(/unknown event type/);
  });

  it('never carry a clear token or secret', () => {
    const created = { clientId, tokenHash: 'my-clear-token' };
    expect(eventIssues('ClientCreated', created).map((issue) => issue.path)).toEqual(['/tokenHash']);
    const configured = {
      clientId,
      channel: 'slack',
      enabled: true,
      sealedConfig: '{"signingSecret":"s3cr3t"}',
      fingerprint: 'hmac-0123456789abcdef',
    };
    expect(eventIssues('ChannelConfigured', configured).map((issue) => issue.path)).toEqual([
      '/sealedConfig',
    ]);
  });

  it('refuse a negative MessagesCleared count', () => {
    const cleared = { conversationId, clientId, upToSequence: 4, count: -1 };
    expect(eventIssues('MessagesCleared', cleared).map((issue) => issue.path)).toEqual(['/count']);
  });
});
