import { type Static, Type } from 'typebox';
import { DeliveryId, DeliveryReason, ProviderMessageIds } from '../delivery-terms.js';
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

/**
 * The provider accepted the message. `providerMessageIds`: every id the provider gave it, in send order
 * (one per request: a card sent as a photo then a text has two; none when the provider gives none),
 * each of which a status callback may name. Version 2; version 1 had one optional `providerMessageId`
 * (the first), upcast on read by `upcastDeliverySentV1`.
 */
export const DeliverySentData = Type.Object({
  ...deliveryFields,
  providerMessageIds: ProviderMessageIds,
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

/** An event as upcasters see it (the event store's `Upcaster` takes and returns this shape). */
interface VersionedEvent {
  type: string;
  data: unknown;
  metadata: { schemaVersion?: number; [key: string]: unknown };
}

/** DeliverySent 1 → 2: the one optional provider message id becomes the list of them. */
export const upcastDeliverySentV1 = {
  eventType: 'DeliverySent',
  fromVersion: 1,
  upcast: (event: VersionedEvent): VersionedEvent => {
    const { providerMessageId, ...rest } = event.data as { providerMessageId?: string };
    return {
      ...event,
      data: { ...rest, providerMessageIds: providerMessageId === undefined ? [] : [providerMessageId] },
      metadata: { ...event.metadata, schemaVersion: 2 },
    };
  },
} as const;

export const deliveryUpcasters = [upcastDeliverySentV1] as const;
