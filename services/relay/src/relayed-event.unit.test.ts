import { busNames } from '@switchboard/bus';
import type { RecordedEvent } from '@switchboard/event-store';
import { describe, expect, it } from 'vitest';
import { relayedEventSubject } from './relayed-event.js';

const conversationId = '2d703c5e-af41-4e69-9c83-4b3f90bd5e72';
const tenant = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';

const event = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: '3e814d6f-b052-4f7a-8d94-5c40a1ce0001',
  type: 'MessagePosted',
  streamName: `conversation-${conversationId}`,
  revision: 12n,
  position: { commit: 2n ** 64n - 2n, prepare: 345n },
  data: { text: 'hi' },
  metadata: { tenant, schemaVersion: 1 },
  created: new Date('2026-01-02T03:04:05.678Z'),
  ...overrides,
});

describe('relayedEventSubject', () => {
  it('is evt.<tenant>.<category>.<streamId>.<Type> under the namespace', () => {
    expect(relayedEventSubject(busNames('t1'), event())).toEqual({
      subject: `t1.evt.${tenant}.conversation.${conversationId}.MessagePosted`,
      adjusted: false,
    });
    expect(relayedEventSubject(busNames(), event({ streamName: 'delivery-m1-telegram' })).subject).toBe(
      `evt.${tenant}.delivery.m1-telegram.MessagePosted`,
    );
  });

  it('turns values that would change the subject shape into valid tokens, and says so', () => {
    const odd = event({ streamName: 'conversation-a.b*c', metadata: {} });
    expect(relayedEventSubject(busNames(), odd)).toEqual({
      subject: 'evt._.conversation.a_b_c.MessagePosted',
      adjusted: true,
    });
    expect(relayedEventSubject(busNames(), event({ streamName: 'settings' })).subject).toBe(
      `evt.${tenant}.settings._.MessagePosted`,
    );
  });
});
