import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { type Endpoint, endpointKey } from './values.js';

/**
 * A delivery is one message on its way to one channel endpoint; its stream is `delivery-<deliveryId>`
 * with `deliveryId = <messageId>-<channel>-<endpoint tag>`, the tag being the first 16 hex digits of the
 * SHA-256 of the endpoint's key (`endpointKey`). Readable (the message and the channel show in the
 * stream name), derived without a lookup (a connector that sees the message again finds the same
 * stream), and distinct per endpoint, so a conversation linked twice on one channel gets two deliveries.
 * No dots, so the id is also a valid NATS subject token (`evt.<tenant>.delivery.<id>.<Type>`).
 */
export const DeliveryId = Type.String({
  pattern:
    '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}-[a-z0-9][a-z0-9_-]{0,63}-[0-9a-f]{16}$',
});
export type DeliveryId = Static<typeof DeliveryId>;

export function deliveryIdOf(messageId: string, endpoint: Endpoint): DeliveryId {
  const tag = createHash('sha256').update(endpointKey(endpoint)).digest('hex').slice(0, 16);
  return `${messageId}-${endpoint.channel.name}-${tag}`;
}

/** The provider's id of a message we sent (Telegram message id, Twilio SID, e-mail Message-ID, …). */
export const ProviderMessageId = Type.String({ minLength: 1, maxLength: 1024 });
export type ProviderMessageId = Static<typeof ProviderMessageId>;

/**
 * Every id the provider gave one delivery, in send order: a payload rendered as several requests (a
 * card as a photo then a text, a carousel as one message per card) gets one per request.
 */
export const ProviderMessageIds = Type.Array(ProviderMessageId, { maxItems: 100 });
export type ProviderMessageIds = Static<typeof ProviderMessageIds>;

/** Why a delivery failed or has no known outcome, in the provider's words where it gave any. */
export const DeliveryReason = Type.String({ minLength: 1, maxLength: 2048 });
export type DeliveryReason = Static<typeof DeliveryReason>;

/**
 * Where a delivery stands: `queued → sent → delivered → read`, or `failed`, or `unknown` when the
 * provider call ended without an answer (it may or may not have gone out).
 */
export const DeliveryStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('sent'),
  Type.Literal('delivered'),
  Type.Literal('read'),
  Type.Literal('failed'),
  Type.Literal('unknown'),
]);
export type DeliveryStatus = Static<typeof DeliveryStatus>;

/** What a provider (or the connector) reports after the send: the statuses `RecordDeliveryStatus` takes. */
export const ReportedDeliveryStatus = Type.Union([
  Type.Literal('delivered'),
  Type.Literal('read'),
  Type.Literal('failed'),
  Type.Literal('unknown'),
]);
export type ReportedDeliveryStatus = Static<typeof ReportedDeliveryStatus>;
