import { type Static, Type } from 'typebox';
import { DeliveryId, DeliveryReason, ProviderMessageId } from '../delivery-terms.js';
import { ChannelName, ClientId, ConversationId, Endpoint, MessageId } from '../values.js';

// Every delivery event names its message, conversation and channel, so a reader (projection, webhook)
// needs nothing but the event itself.
const deliveryFields = {
  deliveryId: DeliveryId,
  clientId: ClientId,
  messageId: MessageId,
  conversationId: ConversationId,
  channel: ChannelName,
};

export const DeliveryRequestedData = Type.Object({ ...deliveryFields, endpoint: Endpoint });
export type DeliveryRequestedData = Static<typeof DeliveryRequestedData>;

export const DeliverySentData = Type.Object({
  ...deliveryFields,
  providerMessageId: Type.Optional(ProviderMessageId),
});
export type DeliverySentData = Static<typeof DeliverySentData>;

export const DeliveryDeliveredData = Type.Object(deliveryFields);
export type DeliveryDeliveredData = Static<typeof DeliveryDeliveredData>;

export const DeliveryReadData = Type.Object(deliveryFields);
export type DeliveryReadData = Static<typeof DeliveryReadData>;

export const DeliveryFailedData = Type.Object({
  ...deliveryFields,
  reason: DeliveryReason,
  retryable: Type.Boolean(),
});
export type DeliveryFailedData = Static<typeof DeliveryFailedData>;

/** The provider call ended without an answer (a time-out after the request went out): it may have been sent. */
export const DeliveryOutcomeUnknownData = Type.Object({ ...deliveryFields, reason: DeliveryReason });
export type DeliveryOutcomeUnknownData = Static<typeof DeliveryOutcomeUnknownData>;

export const deliveryEventSchemas = {
  DeliveryRequested: DeliveryRequestedData,
  DeliverySent: DeliverySentData,
  DeliveryDelivered: DeliveryDeliveredData,
  DeliveryRead: DeliveryReadData,
  DeliveryFailed: DeliveryFailedData,
  DeliveryOutcomeUnknown: DeliveryOutcomeUnknownData,
} as const;
