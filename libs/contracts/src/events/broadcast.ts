import { type Static, Type } from 'typebox';
import {
  BroadcastAudience,
  BroadcastContent,
  BroadcastId,
  ContentHash,
  MAX_RECIPIENTS_PER_BATCH,
  OutboundMessageId,
  TopicName,
} from '../broadcast-terms.js';
import { ClientId, Instant, UserId } from '../values.js';

const Count = Type.Integer({ minimum: 0 });
const BatchNumber = Type.Integer({ minimum: 0 });

/** Status `pending`: recipients are resolved as subscribed at `requestedAt`. */
export const BroadcastRequestedData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  outboundMessageId: OutboundMessageId,
  channel: TopicName,
  audience: BroadcastAudience,
  content: BroadcastContent,
  contentHash: ContentHash,
  requestedAt: Instant,
});
export type BroadcastRequestedData = Static<typeof BroadcastRequestedData>;

/**
 * One batch of recipients, appended in the same transaction as their `recipient-…` streams. The ids
 * let a restarted fan-out deliver a batch without resolving it again.
 */
export const RecipientsResolvedData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  batch: BatchNumber,
  userIds: Type.Array(UserId, { minItems: 1, maxItems: MAX_RECIPIENTS_PER_BATCH }),
});
export type RecipientsResolvedData = Static<typeof RecipientsResolvedData>;

/** Status `sending`: every recipient has its delivery record. */
export const BroadcastDispatchedData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  recipientCount: Count,
});
export type BroadcastDispatchedData = Static<typeof BroadcastDispatchedData>;

/** A batch's deliveries finished, appended in the same transaction as their outcomes. */
export const RecipientsSettledData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  batch: BatchNumber,
  delivered: Count,
  failed: Count,
});
export type RecipientsSettledData = Static<typeof RecipientsSettledData>;

/** Status `sent`: every delivery finished. */
export const BroadcastCompletedData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  delivered: Count,
  failed: Count,
});
export type BroadcastCompletedData = Static<typeof BroadcastCompletedData>;

export const broadcastEventSchemas = {
  BroadcastRequested: BroadcastRequestedData,
  RecipientsResolved: RecipientsResolvedData,
  BroadcastDispatched: BroadcastDispatchedData,
  RecipientsSettled: RecipientsSettledData,
  BroadcastCompleted: BroadcastCompletedData,
} as const;
