import type { Position } from './types.js';

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

const DECIMAL = /^[0-9]{1,19}$/;

/** Parses a relayed event's body; undefined when it is not one. */
export function parseRelayedEvent(text: string): RelayedEvent | undefined {
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
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamName,
    position: { commit: BigInt(String(position?.commit)), prepare: BigInt(String(position?.prepare)) },
    data: e.data,
    metadata: e.metadata as Record<string, unknown>,
    created: e.created,
  };
}
