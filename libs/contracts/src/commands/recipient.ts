import { type Static, Type } from 'typebox';
import { BroadcastId, OutboundMessageId, RecipientFailureReason, TopicName } from '../broadcast-terms.js';
import { ClientId, UserId } from '../values.js';

const recipient = { broadcastId: BroadcastId, clientId: ClientId, userId: UserId };

/** Opens one recipient's delivery of a broadcast (stream `recipient-<broadcastId>-<userId>`). */
export const StartRecipientDeliveryData = Type.Object({
  ...recipient,
  outboundMessageId: OutboundMessageId,
  channel: TopicName,
});
export type StartRecipientDeliveryData = Static<typeof StartRecipientDeliveryData>;

export const RecordRecipientDeliveredData = Type.Object(recipient);
export type RecordRecipientDeliveredData = Static<typeof RecordRecipientDeliveredData>;

export const RecordRecipientFailedData = Type.Object({ ...recipient, reason: RecipientFailureReason });
export type RecordRecipientFailedData = Static<typeof RecordRecipientFailedData>;

export const recipientCommandSchemas = {
  StartRecipientDelivery: StartRecipientDeliveryData,
  RecordRecipientDelivered: RecordRecipientDeliveredData,
  RecordRecipientFailed: RecordRecipientFailedData,
} as const;
