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
import { ClientId, UserId } from '../values.js';

const Count = Type.Integer({ minimum: 0 });
const BatchNumber = Type.Integer({ minimum: 0 });

/**
 * A client asks for a message to go to one user or to a topic's subscribers. `broadcastId` is
 * `broadcastIdOf(clientId, outboundMessageId)` and `contentHash` `broadcastContentHash(…)`: asked again
 * with the same content, nothing changes; with other content, it is a conflict.
 */
export const RequestBroadcastData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  outboundMessageId: OutboundMessageId,
  channel: TopicName,
  audience: BroadcastAudience,
  content: BroadcastContent,
  contentHash: ContentHash,
});
export type RequestBroadcastData = Static<typeof RequestBroadcastData>;

// The fan-out's steps (services/broadcaster), decided on the broadcast's state like any command.

/** The next batch of recipients, in the order resolution found them (batch numbers from 0, gapless). */
export const RecordRecipientsResolvedData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  batch: BatchNumber,
  userIds: Type.Array(UserId, { minItems: 1, maxItems: MAX_RECIPIENTS_PER_BATCH }),
});
export type RecordRecipientsResolvedData = Static<typeof RecordRecipientsResolvedData>;

/** Every recipient has its delivery record: the broadcast is sending. */
export const DispatchBroadcastData = Type.Object({ broadcastId: BroadcastId, clientId: ClientId });
export type DispatchBroadcastData = Static<typeof DispatchBroadcastData>;

/** Every delivery of a batch finished: how many were delivered and failed (batches settle in order). */
export const RecordRecipientsSettledData = Type.Object({
  broadcastId: BroadcastId,
  clientId: ClientId,
  batch: BatchNumber,
  delivered: Count,
  failed: Count,
});
export type RecordRecipientsSettledData = Static<typeof RecordRecipientsSettledData>;

/** Every batch settled: the broadcast is sent. */
export const CompleteBroadcastData = Type.Object({ broadcastId: BroadcastId, clientId: ClientId });
export type CompleteBroadcastData = Static<typeof CompleteBroadcastData>;

export const broadcastCommandSchemas = {
  RequestBroadcast: RequestBroadcastData,
  RecordRecipientsResolved: RecordRecipientsResolvedData,
  DispatchBroadcast: DispatchBroadcastData,
  RecordRecipientsSettled: RecordRecipientsSettledData,
  CompleteBroadcast: CompleteBroadcastData,
} as const;
