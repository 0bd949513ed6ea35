import { describe, expect, it } from 'vitest';
import { parseRelayedEvent, relayedEventBody } from './relayed-event.js';
import type { RecordedEvent, Upcaster } from './types.js';

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

const recorded: RecordedEvent = {
  id: '3e814d6f-b052-4f7a-8d94-5c40a1ce0001',
  type: 'MessagePosted',
  streamName: 'conversation-2d703c5e-af41-4e69-9c83-4b3f90bd5e72',
  revision: 12n,
  position: { commit: 2n ** 64n - 2n, prepare: 345n },
  data: { text: 'hi' },
  metadata: { tenant: 't1', schemaVersion: 1 },
  created: new Date('2026-01-02T03:04:05.678Z'),
};

describe('relayedEventBody', () => {
  it('is the recorded event with bigints as decimal strings and the date in ISO form', () => {
    expect(relayedEventBody(recorded)).toEqual({
      id: '3e814d6f-b052-4f7a-8d94-5c40a1ce0001',
      type: 'MessagePosted',
      streamName: 'conversation-2d703c5e-af41-4e69-9c83-4b3f90bd5e72',
      revision: '12',
      position: { commit: '18446744073709551614', prepare: '345' },
      data: { text: 'hi' },
      metadata: { tenant: 't1', schemaVersion: 1 },
      created: '2026-01-02T03:04:05.678Z',
    });
  });

  it('is read back by parseRelayedEvent as the event it was, but its revision', () => {
    const { revision: _revision, ...rest } = recorded;
    expect(parseRelayedEvent(JSON.stringify(relayedEventBody(recorded)), [])).toEqual({
      ...rest,
      created: '2026-01-02T03:04:05.678Z',
    });
  });
});
