import type { BusNames } from '@switchboard/bus';
import { categoryOf, streamIdOf } from '@switchboard/contracts';
import type { RecordedEvent } from '@switchboard/event-store';

const UNSAFE_IN_TOKEN = /[.*>\s\p{Cc}]/gu;

/**
 * A value as one subject token. Ours never need it (UUIDs, known names), but an event whose stream id
 * or tenant would change the subject's shape must still go out rather than stall the relay for all;
 * its body carries the exact values.
 */
function token(value: unknown): { token: string; changed: boolean } {
  const text = typeof value === 'string' ? value : '';
  const safe = text.replace(UNSAFE_IN_TOKEN, '_');
  return safe === '' ? { token: '_', changed: true } : { token: safe, changed: safe !== text };
}

/** `evt.<tenant>.<category>.<streamId>.<Type>`; `adjusted` when a value had to be made a valid token. */
export function relayedEventSubject(
  names: BusNames,
  event: RecordedEvent,
): { subject: string; adjusted: boolean } {
  const dash = event.streamName.indexOf('-');
  const hasId = dash > 0 && dash < event.streamName.length - 1;
  const parts = [
    token(event.metadata.tenant),
    token(hasId ? categoryOf(event.streamName) : event.streamName),
    token(hasId ? streamIdOf(event.streamName) : ''),
    token(event.type),
  ] as const;
  const [tenant, category, streamId, type] = parts;
  return {
    subject: names.event(tenant.token, category.token, streamId.token, type.token),
    adjusted: parts.some((p) => p.changed),
  };
}
