import { describe, expect, it } from 'vitest';
import { eventIssues, eventSchemaVersions } from './index.js';
import { eventUpcasters } from './upcasters.js';

type Versioned = { type: string; data: unknown; metadata: { schemaVersion?: number } };

/** One step, as the event store takes it: the upcaster for the event's type and version, if any. */
const upcastEvent = <E extends Versioned>(event: E): Versioned => {
  const from = event.metadata.schemaVersion ?? 1;
  const upcaster = eventUpcasters.find((u) => u.eventType === event.type && u.fromVersion === from);
  return upcaster ? upcaster.upcast(event) : event;
};

const facts = {
  deliveryId: '0b7c5a2e-6c1f-4f7e-9a51-3d2e1f0a9b8c-telegram-0123456789abcdef',
  clientId: '5f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  messageId: '0b7c5a2e-6c1f-4f7e-9a51-3d2e1f0a9b8c',
  conversationId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  channel: 'telegram',
};

describe('DeliverySent versions', () => {
  it('is at version 2, with every provider id in a list', () => {
    expect(eventSchemaVersions.DeliverySent).toBe(2);
    expect(eventIssues('DeliverySent', { ...facts, providerMessageIds: ['1', '2'] })).toEqual([]);
    expect(eventIssues('DeliverySent', { ...facts, providerMessageId: '1' })).not.toEqual([]);
  });

  it('upcasts version 1 (one optional id) to the list, and leaves the rest of the event alone', () => {
    const v1 = (data: object) => ({
      type: 'DeliverySent',
      data: { ...facts, ...data },
      metadata: { tenant: facts.clientId, schemaVersion: 1 },
    });
    const withId = upcastEvent(v1({ providerMessageId: '42:7' }));
    expect(withId).toEqual({
      type: 'DeliverySent',
      data: { ...facts, providerMessageIds: ['42:7'] },
      metadata: { tenant: facts.clientId, schemaVersion: 2 },
    });
    expect(eventIssues('DeliverySent', withId.data)).toEqual([]);
    expect(upcastEvent(v1({})).data).toEqual({ ...facts, providerMessageIds: [] });
    // No schemaVersion at all is version 1.
    expect(upcastEvent({ ...v1({ providerMessageId: 'x' }), metadata: {} }).data).toMatchObject({
      providerMessageIds: ['x'],
    });
  });

  it('leaves current and other events as they are', () => {
    const current = {
      type: 'DeliverySent',
      data: { ...facts, providerMessageIds: ['a'] },
      metadata: { schemaVersion: 2 },
    };
    expect(upcastEvent(current)).toEqual(current);
    const other = { type: 'DeliveryRead', data: facts, metadata: { schemaVersion: 1 } };
    expect(upcastEvent(other)).toEqual(other);
  });

  it('raises the version with each upcaster, as the event store requires', () => {
    for (const upcaster of eventUpcasters) {
      const next = upcaster.upcast({ type: upcaster.eventType, data: facts, metadata: {} });
      expect(next.metadata.schemaVersion).toBeGreaterThan(upcaster.fromVersion);
      expect(next.metadata.schemaVersion).toBeLessThanOrEqual(
        eventSchemaVersions[upcaster.eventType as keyof typeof eventSchemaVersions],
      );
    }
  });
});
