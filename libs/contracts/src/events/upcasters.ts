import { deliveryUpcasters } from './delivery.js';

/**
 * Every upcaster of the catalogue: pass them to `createEventStore({ upcasters })` wherever events are
 * read, so old versions arrive in the current shape (stored events are never rewritten).
 */
export const eventUpcasters = [...deliveryUpcasters];
