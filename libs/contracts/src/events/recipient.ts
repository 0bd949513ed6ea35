import { type Static, Type } from 'typebox';
import { BroadcastId, OutboundMessageId, RecipientFailureReason, TopicName } from '../broadcast-terms.js';
import { ClientId, UserId } from '../values.js';

// Every recipient event names its broadcast, outbound message and topic: a reader needs nothing else.
const recipientFields = {
  broadcastId: BroadcastId,
  clientId: ClientId,
  userId: UserId,
  outboundMessageId: OutboundMessageId,
  channel: TopicName,
};

/** Status `delivering`. */
export const RecipientDeliveryStartedData = Type.Object(recipientFields);
export type RecipientDeliveryStartedData = Static<typeof RecipientDeliveryStartedData>;

/** Status `delivered`: the message is in the user's in-app inbox. */
export const RecipientDeliveredData = Type.Object(recipientFields);
export type RecipientDeliveredData = Static<typeof RecipientDeliveredData>;

export const RecipientFailedData = Type.Object({ ...recipientFields, reason: RecipientFailureReason });
export type RecipientFailedData = Static<typeof RecipientFailedData>;

export const recipientEventSchemas = {
  RecipientDeliveryStarted: RecipientDeliveryStartedData,
  RecipientDelivered: RecipientDeliveredData,
  RecipientFailed: RecipientFailedData,
} as const;
