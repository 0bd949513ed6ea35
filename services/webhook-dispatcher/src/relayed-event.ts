/** An event as the relay publishes it on `EVENTS`: the recorded event, bigints as decimal strings. */
export interface RelayedEvent {
  id: string;
  type: string;
  streamName: string;
  revision: string;
  position: { commit: string; prepare: string };
  data: unknown;
  metadata: Record<string, unknown>;
  created: string;
}

export class MalformedRelayedEventError extends Error {
  override name = 'MalformedRelayedEventError';
}

const DECIMAL = /^[0-9]{1,19}$/;

/** Parses a message body; throws `MalformedRelayedEventError` when it is not a relayed event. */
export function parseRelayedEvent(text: string): RelayedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedRelayedEventError('not JSON');
  }
  const e = value as Partial<RelayedEvent> | null;
  const ok =
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    typeof e.type === 'string' &&
    typeof e.streamName === 'string' &&
    typeof e.created === 'string' &&
    typeof e.position === 'object' &&
    e.position !== null &&
    DECIMAL.test(String(e.position.commit)) &&
    DECIMAL.test(String(e.position.prepare)) &&
    typeof e.metadata === 'object' &&
    e.metadata !== null;
  if (!ok) throw new MalformedRelayedEventError('missing or malformed fields');
  return e as RelayedEvent;
}

/** The client an event belongs to: its `tenant` metadata, else its data's `clientId`. */
export function tenantOf(event: RelayedEvent): string | undefined {
  const tenant = event.metadata.tenant;
  if (typeof tenant === 'string' && tenant.length > 0) return tenant;
  const clientId = (event.data as { clientId?: unknown } | null)?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}
