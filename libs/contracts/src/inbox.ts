import type { NormalizedInbound } from './channel-adapter.js';

/**
 * What the gateway publishes on the JetStream `INBOX` (`inbox.<tenant>.<channel>`) for each normalized
 * inbound item of a verified provider webhook, and the command handler consumes.
 */
export interface InboxMessage {
  clientId: string;
  channel: string;
  /** When the gateway received the webhook (ISO-8601). */
  receivedAt: string;
  inbound: NormalizedInbound;
}

/**
 * The `Nats-Msg-Id` of an inbox message: a provider's retried webhook carries the same event id, and
 * the stream's duplicate window drops it. Scoped by client, since two bots' update ids can be equal.
 */
export function inboxMessageId(clientId: string, channel: string, providerEventId: string): string {
  return `${clientId}:${channel}:${providerEventId}`;
}
