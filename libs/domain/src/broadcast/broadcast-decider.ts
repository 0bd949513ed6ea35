import {
  type BroadcastCommand,
  type BroadcastEvent,
  broadcastContentHash,
  broadcastIdOf,
  type RecordRecipientsResolvedData,
  type RecordRecipientsSettledData,
} from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';
import {
  type BroadcastState,
  type ExistingBroadcast,
  evolveBroadcast,
  initialBroadcastState,
} from './broadcast-state.js';

/**
 * Stream `broadcast-<id>`: `pending` (recipients resolved batch by batch) → `sending` (every delivery
 * record exists) → `sent` (every delivery finished). The fan-out's steps are commands like any other,
 * so a restarted or doubled fan-out that repeats a step changes nothing (see ../../README.md).
 */
export const broadcastDecider: Decider<BroadcastCommand, BroadcastEvent, BroadcastState> = {
  initialState: initialBroadcastState,
  evolve: evolveBroadcast,
  decide(command: BroadcastCommand, state: BroadcastState, ctx: DecideContext): BroadcastEvent[] {
    if (command.type === 'RequestBroadcast') {
      const { broadcastId, clientId, outboundMessageId, channel, audience, content, contentHash } =
        command.data;
      if (broadcastId !== broadcastIdOf(clientId, outboundMessageId)) {
        throw new DomainError('invalid', 'broadcastId is not the id of this client’s outbound message id');
      }
      if (contentHash !== broadcastContentHash({ channel, audience, content })) {
        throw new DomainError('invalid', 'contentHash is not the hash of this channel, audience and content');
      }
      if (state.status !== 'none') {
        // The same request again (a client retrying) changes nothing; other content under the id is a conflict.
        if (state.contentHash === contentHash) return [];
        throw new DomainError(
          'conflict',
          `outbound message ${outboundMessageId} already exists with different content`,
          { outboundMessageId },
        );
      }
      return [
        {
          type: 'BroadcastRequested',
          data: {
            broadcastId,
            clientId,
            outboundMessageId,
            channel,
            audience,
            content,
            contentHash,
            requestedAt: ctx.now.toISOString(),
          },
        },
      ];
    }

    const broadcast = existingBroadcast(state, command.data.clientId);
    switch (command.type) {
      case 'RecordRecipientsResolved':
        return resolved(broadcast, command.data);
      case 'DispatchBroadcast':
        if (broadcast.status !== 'pending') return [];
        return [
          {
            type: 'BroadcastDispatched',
            data: {
              broadcastId: broadcast.broadcastId,
              clientId: broadcast.clientId,
              recipientCount: broadcast.recipientCount,
            },
          },
        ];
      case 'RecordRecipientsSettled':
        return settled(broadcast, command.data);
      case 'CompleteBroadcast': {
        if (broadcast.status === 'sent') return [];
        if (broadcast.status === 'pending')
          throw new DomainError('invalid', 'the broadcast is not dispatched yet');
        if (broadcast.settledBatches < broadcast.resolvedBatches) {
          throw new DomainError(
            'invalid',
            `${broadcast.resolvedBatches - broadcast.settledBatches} batches of deliveries have not finished`,
          );
        }
        const { broadcastId, clientId, delivered, failed } = broadcast;
        return [{ type: 'BroadcastCompleted', data: { broadcastId, clientId, delivered, failed } }];
      }
      default: {
        const unhandled: never = command;
        throw new Error(`broadcast decider cannot decide ${(unhandled as BroadcastCommand).type}`);
      }
    }
  },
};

function resolved(broadcast: ExistingBroadcast, data: RecordRecipientsResolvedData): BroadcastEvent[] {
  // A batch already recorded (a restarted fan-out) is a no-op; one ahead of the next would leave a gap.
  if (data.batch < broadcast.resolvedBatches) return [];
  if (broadcast.status !== 'pending') throw new DomainError('invalid', 'the broadcast is already dispatched');
  if (data.batch > broadcast.resolvedBatches) {
    throw new DomainError('invalid', `batch ${data.batch} comes before batch ${broadcast.resolvedBatches}`);
  }
  const { audience } = broadcast;
  if (audience.kind === 'user') {
    if (data.batch > 0 || data.userIds.length !== 1 || data.userIds[0] !== audience.userId) {
      throw new DomainError('invalid', 'a broadcast to one user has that user as its only recipient');
    }
  }
  // Strictly increasing ids, after the previous batch's: no recipient can be resolved twice.
  let previous = broadcast.cursor;
  for (const userId of data.userIds) {
    if (previous !== null && !(userId > previous)) {
      throw new DomainError('invalid', 'recipients must come in increasing id order, each once');
    }
    previous = userId;
  }
  const { broadcastId, clientId } = broadcast;
  return [
    { type: 'RecipientsResolved', data: { broadcastId, clientId, batch: data.batch, userIds: data.userIds } },
  ];
}

function settled(broadcast: ExistingBroadcast, data: RecordRecipientsSettledData): BroadcastEvent[] {
  if (data.batch < broadcast.settledBatches) return [];
  if (broadcast.status === 'pending') throw new DomainError('invalid', 'the broadcast is not dispatched yet');
  if (broadcast.status === 'sent') return [];
  if (data.batch > broadcast.settledBatches || data.batch >= broadcast.resolvedBatches) {
    throw new DomainError(
      'invalid',
      `batch ${data.batch} cannot settle before batch ${broadcast.settledBatches}`,
    );
  }
  const finished = broadcast.delivered + broadcast.failed + data.delivered + data.failed;
  if (finished > broadcast.recipientCount) {
    throw new DomainError('invalid', 'more deliveries finished than the broadcast has recipients');
  }
  const { broadcastId, clientId } = broadcast;
  return [
    {
      type: 'RecipientsSettled',
      data: { broadcastId, clientId, batch: data.batch, delivered: data.delivered, failed: data.failed },
    },
  ];
}

function existingBroadcast(state: BroadcastState, clientId: string): ExistingBroadcast {
  // Another tenant's broadcast is answered as if it did not exist.
  if (state.status === 'none' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'broadcast not found');
  }
  return state;
}
