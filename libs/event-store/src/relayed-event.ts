import type { EventMetadata, Position, RecordedEvent, Upcaster } from './types.js';
import { indexUpcasters, upcast } from './upcast.js';

/**
 * What a consumer of `EVENTS` reads of a recorded event the relay published (its JSON, bigints as
 * decimal strings: docs/architecture.md).
 */
export interface RelayedEvent {
  id: string;
  type: string;
  streamName: string;
  position: Position;
  data: unknown;
  metadata: Record<string, unknown>;
  /** When it was appended, as ISO 8601. */
  created: string;
}

/** The JSON body of a relayed event: the recorded event with bigints as decimal strings. */
export interface RelayedEventBody {
  id: string;
  type: string;
  streamName: string;
  revision: string;
  position: { commit: string; prepare: string };
  data: unknown;
  metadata: Record<string, unknown>;
  created: string;
}

export function relayedEventBody(event: RecordedEvent): RelayedEventBody {
  return {
    id: event.id,
    type: event.type,
    streamName: event.streamName,
    revision: event.revision.toString(),
    position: { commit: event.position.commit.toString(), prepare: event.position.prepare.toString() },
    data: event.data,
    metadata: event.metadata,
    created: event.created.toISOString(),
  };
}

// Up to 20 digits: a commit position is a 64-bit transaction id (xid8), up to 18446744073709551615.
const DECIMAL = /^[0-9]{1,20}$/;

/** Each consumer passes the same list on every message: its index is built once. */
const indexes = new WeakMap<readonly Upcaster[], ReadonlyMap<string, Upcaster>>();

/**
 * Parses a relayed event's body, in the current shape of its type: a body published before an upgrade
 * is upcast as the store's reads are (`upcasters` as given to `createEventStore`). Undefined when the
 * body is not a relayed event.
 */
export function parseRelayedEvent(text: string, upcasters: readonly Upcaster[]): RelayedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const position = e.position as { commit?: unknown; prepare?: unknown } | null | undefined;
  if (
    typeof e.id !== 'string' ||
    typeof e.type !== 'string' ||
    typeof e.streamName !== 'string' ||
    typeof e.created !== 'string' ||
    typeof e.metadata !== 'object' ||
    e.metadata === null ||
    !DECIMAL.test(String(position?.commit)) ||
    !DECIMAL.test(String(position?.prepare))
  ) {
    return undefined;
  }
  let index = indexes.get(upcasters);
  if (!index) {
    index = indexUpcasters(upcasters);
    indexes.set(upcasters, index);
  }
  const current = upcast({ type: e.type, data: e.data, metadata: e.metadata as EventMetadata }, index);
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamName,
    position: { commit: BigInt(String(position?.commit)), prepare: BigInt(String(position?.prepare)) },
    data: current.data,
    metadata: current.metadata as Record<string, unknown>,
    created: e.created,
  };
}
