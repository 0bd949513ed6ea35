import type { EventMetadata, Upcaster } from './types.js';

export interface StoredShape {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export const schemaVersionOf = (metadata: EventMetadata): number => metadata.schemaVersion ?? 1;

/** Index of upcasters by `type@fromVersion`; two for the same key is a configuration error. */
export function indexUpcasters(upcasters: readonly Upcaster[]): Map<string, Upcaster> {
  const index = new Map<string, Upcaster>();
  for (const u of upcasters) {
    const key = `${u.eventType}@${u.fromVersion}`;
    if (index.has(key)) throw new Error(`two upcasters for ${u.eventType} version ${u.fromVersion}`);
    index.set(key, u);
  }
  return index;
}

/**
 * Applies upcasters until none matches the event's type and schema version. Each step must raise the
 * version, so a chain always ends. The input is not modified.
 */
export function upcast(event: StoredShape, index: ReadonlyMap<string, Upcaster>): StoredShape {
  if (index.size === 0) return event;
  let current = event;
  for (;;) {
    const from = schemaVersionOf(current.metadata);
    const upcaster = index.get(`${current.type}@${from}`);
    if (!upcaster) return current;
    const next = upcaster.upcast({
      type: current.type,
      data: current.data,
      metadata: { ...current.metadata },
    });
    const to = next.metadata.schemaVersion;
    if (typeof to !== 'number' || to <= from) {
      throw new Error(
        `upcaster for ${upcaster.eventType} version ${from} must set metadata.schemaVersion above ${from}, got ${String(to)}`,
      );
    }
    current = next;
  }
}
