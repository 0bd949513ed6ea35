import { deliveryUpcasters } from './delivery.js';

/**
 * Every upcaster of the catalogue: pass them to `createEventStore({ upcasters })` wherever events are
 * read, so old versions arrive in the current shape (stored events are never rewritten).
 */
export const eventUpcasters = [...deliveryUpcasters];

interface VersionedEvent {
  type: string;
  data: unknown;
  metadata: { schemaVersion?: number; [key: string]: unknown };
}

/**
 * The current shape of an event read outside the store (a body on `EVENTS` relayed before an upgrade):
 * the store's upcasting, by `metadata.schemaVersion` (absent: 1).
 */
export function upcastEvent<E extends VersionedEvent>(event: E): E {
  let current: VersionedEvent = event;
  for (;;) {
    const from = current.metadata.schemaVersion ?? 1;
    const upcaster = eventUpcasters.find((u) => u.eventType === current.type && u.fromVersion === from);
    if (!upcaster) return { ...event, data: current.data, metadata: current.metadata };
    current = upcaster.upcast(current);
  }
}
