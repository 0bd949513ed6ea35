import { type Static, Type } from 'typebox';
import {
  DeliveryId,
  DeliveryReason,
  ProviderMessageId,
  ProviderMessageIds,
  ReportedDeliveryStatus,
} from '../delivery-terms.js';
import { ClientId, ConversationId, Endpoint, MessageId } from '../values.js';

/**
 * Opens the delivery of a message to one channel endpoint (stream `delivery-<deliveryId>`, the id
 * being `deliveryIdOf(messageId, endpoint)`). Idempotent: requesting an existing delivery changes
 * nothing and answers its current status, so a connector that sees a message again sends it only if
 * it is still queued.
 */
export const RequestDeliveryData = Type.Object({
  deliveryId: DeliveryId,
  clientId: ClientId,
  messageId: MessageId,
  conversationId: ConversationId,
  endpoint: Endpoint,
});
export type RequestDeliveryData = Static<typeof RequestDeliveryData>;

/**
 * The provider accepted the message; the ids it gave it (one per request, in order) key later status
 * callbacks. `providerMessageId` is the single id connectors sent before there could be several; it
 * counts as the first.
 */
export const RecordDeliverySentData = Type.Object({
  deliveryId: DeliveryId,
  clientId: ClientId,
  providerMessageIds: Type.Optional(ProviderMessageIds),
  providerMessageId: Type.Optional(ProviderMessageId),
});
export type RecordDeliverySentData = Static<typeof RecordDeliverySentData>;

/**
 * What became of a delivery after the send: `delivered`/`read` (provider callbacks), `failed` (the
 * provider's refusal or a callback; `retryable` when sending again could succeed), or `unknown` (the
 * call ended without an answer). Late and out-of-order reports are no-ops (libs/domain/README.md).
 */
export const RecordDeliveryStatusData = Type.Object({
  deliveryId: DeliveryId,
  clientId: ClientId,
  status: ReportedDeliveryStatus,
  reason: Type.Optional(DeliveryReason),
  retryable: Type.Optional(Type.Boolean()),
});
export type RecordDeliveryStatusData = Static<typeof RecordDeliveryStatusData>;

export const deliveryCommandSchemas = {
  RequestDelivery: RequestDeliveryData,
  RecordDeliverySent: RecordDeliverySentData,
  RecordDeliveryStatus: RecordDeliveryStatusData,
} as const;
