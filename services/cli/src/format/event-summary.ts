import type { RecordedEvent } from '@switchboard/event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function scalar(value: unknown): string {
  if (typeof value === 'string') {
    if (UUID.test(value)) return `${value.slice(0, 8)}…`;
    const short = value.length > 32 ? `${value.slice(0, 31)}…` : value;
    return /^[\w.:@/+-]+$/.test(short) ? short : JSON.stringify(short);
  }
  return String(value);
}

// content first (a message's payload, an endpoint), then the other values, ids last
const rank = (key: string, value: unknown) =>
  /Ids?$/.test(key) ? 2 : typeof value === 'object' && value !== null && !Array.isArray(value) ? 0 : 1;

function pairs(value: unknown, path: string, depth: number, skip: ReadonlySet<unknown>): string[] {
  if (Array.isArray(value)) return [`${path}=[${value.length}]`];
  if (typeof value === 'object' && value !== null) {
    if (depth >= 2) return [`${path}={…}`];
    return Object.entries(value)
      .sort(([a, x], [b, y]) => rank(a, x) - rank(b, y))
      .flatMap(([k, v]) => pairs(v, path ? `${path}.${k}` : k, depth + 1, skip));
  }
  if (value === undefined || skip.has(value)) return [];
  return [`${path}=${scalar(value)}`];
}

/**
 * An event's data in one line: `key=value` for each scalar (nested keys dotted, arrays as their length,
 * UUIDs cut to 8 characters, ids last), leaving out the id its stream is named after, cut to `width`.
 */
export function summarizeData(event: RecordedEvent, width = 120): string {
  const dash = event.streamName.indexOf('-');
  const own = new Set<unknown>(dash > 0 ? [event.streamName.slice(dash + 1)] : []);
  const text = pairs(event.data, '', 0, own).join(' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

const meta = (event: RecordedEvent, key: 'actor' | 'correlationId' | 'causationId') => {
  const value = event.metadata[key];
  return typeof value === 'string' && value.length > 0 ? value : '-';
};

export const actorOf = (event: RecordedEvent) => meta(event, 'actor');
export const correlationOf = (event: RecordedEvent) => meta(event, 'correlationId');
export const causationOf = (event: RecordedEvent) => meta(event, 'causationId');
