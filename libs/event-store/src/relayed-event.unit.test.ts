import { describe, expect, it } from 'vitest';
import { parseRelayedEvent } from './relayed-event.js';
import type { Upcaster } from './types.js';

const body = (type: string, data: unknown, metadata: Record<string, unknown>) =>
  JSON.stringify({
    id: 'e1',
    type,
    streamName: 'conversation-1',
    revision: '3',
    position: { commit: '1000', prepare: '17' },
    data,
    metadata,
    created: '2026-12-02T10:00:00.000Z',
  });

/** Version 1 of `Renamed` had `old`; version 2 calls it `current`. */
const renamed: Upcaster = {
  eventType: 'Renamed',
  fromVersion: 1,
  upcast: (e) => ({
    type: e.type,
    data: { current: (e.data as { old: string }).old },
    metadata: { ...e.metadata, schemaVersion: 2 },
  }),
};

describe('parseRelayedEvent', () => {
  it('given a relayed body, then it reads every field, positions as bigints', () => {
    expect(parseRelayedEvent(body('Other', { x: 1 }, { tenant: 't' }), [])).toEqual({
      id: 'e1',
      type: 'Other',
      streamName: 'conversation-1',
      position: { commit: 1000n, prepare: 17n },
      data: { x: 1 },
      metadata: { tenant: 't' },
      created: '2026-12-02T10:00:00.000Z',
    });
  });

  it('given a body relayed before an upgrade, then it comes in the current shape', () => {
    const event = parseRelayedEvent(body('Renamed', { old: 'a' }, { tenant: 't' }), [renamed]);
    expect(event?.data).toEqual({ current: 'a' });
    expect(event?.metadata).toEqual({ tenant: 't', schemaVersion: 2 });
    const current = parseRelayedEvent(body('Renamed', { current: 'b' }, { schemaVersion: 2 }), [renamed]);
    expect(current?.data).toEqual({ current: 'b' });
  });

  it('given something else, then it is not a relayed event', () => {
    expect(parseRelayedEvent('not json', [])).toBeUndefined();
    expect(parseRelayedEvent('null', [])).toBeUndefined();
    const valid = JSON.parse(body('Other', {}, {}));
    for (const field of ['id', 'type', 'streamName', 'created', 'metadata', 'position']) {
      const { [field]: _left, ...rest } = valid;
      expect(parseRelayedEvent(JSON.stringify(rest), [])).toBeUndefined();
    }
    expect(
      parseRelayedEvent(JSON.stringify({ ...valid, position: { commit: '-1', prepare: '1' } }), []),
    ).toBeUndefined();
  });
});
