import type { BroadcastAudience, BroadcastEvent } from '@switchboard/contracts';

export type BroadcastStatus = 'pending' | 'sending' | 'sent';

/**
 * A broadcast's state: counters and the resolution cursor, never the recipients themselves, so it
 * stays small for 100,000 recipients. Plain JSON, like every state.
 */
export type BroadcastState =
  | { status: 'none' }
  | {
      status: BroadcastStatus;
      broadcastId: string;
      clientId: string;
      outboundMessageId: string;
      channel: string;
      audience: BroadcastAudience;
      contentHash: string;
      requestedAt: string;
      /** Batches of recipients resolved (the next one is numbered this). */
      resolvedBatches: number;
      recipientCount: number;
      /** The last recipient resolved: the next batch starts after it (recipients come in id order). */
      cursor: string | null;
      /** Batches whose deliveries all finished (they settle in order). */
      settledBatches: number;
      delivered: number;
      failed: number;
    };

export type ExistingBroadcast = Extract<BroadcastState, { broadcastId: string }>;

export function initialBroadcastState(): BroadcastState {
  return { status: 'none' };
}

export function evolveBroadcast(state: BroadcastState, event: BroadcastEvent): BroadcastState {
  if (event.type === 'BroadcastRequested') {
    const { broadcastId, clientId, outboundMessageId, channel, audience, contentHash, requestedAt } =
      event.data;
    return {
      status: 'pending',
      broadcastId,
      clientId,
      outboundMessageId,
      channel,
      audience,
      contentHash,
      requestedAt,
      resolvedBatches: 0,
      recipientCount: 0,
      cursor: null,
      settledBatches: 0,
      delivered: 0,
      failed: 0,
    };
  }
  // An event before the stream's creation cannot be applied; replay keeps the state as it is.
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RecipientsResolved':
      return {
        ...state,
        resolvedBatches: event.data.batch + 1,
        recipientCount: state.recipientCount + event.data.userIds.length,
        cursor: event.data.userIds[event.data.userIds.length - 1] ?? state.cursor,
      };
    case 'BroadcastDispatched':
      return { ...state, status: 'sending' };
    case 'RecipientsSettled':
      return {
        ...state,
        settledBatches: event.data.batch + 1,
        delivered: state.delivered + event.data.delivered,
        failed: state.failed + event.data.failed,
      };
    case 'BroadcastCompleted':
      return { ...state, status: 'sent' };
    default: {
      const unhandled: never = event;
      throw new Error(`broadcast decider cannot apply ${(unhandled as BroadcastEvent).type}`);
    }
  }
}
