import type { RecipientCommand, RecipientEvent } from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';

/** One recipient's delivery of a broadcast: `delivering → delivered | failed`. */
export type RecipientState =
  | { status: 'none' }
  | {
      status: 'delivering' | 'delivered' | 'failed';
      broadcastId: string;
      clientId: string;
      userId: string;
      outboundMessageId: string;
      channel: string;
      reason?: string;
    };

type ExistingRecipient = Extract<RecipientState, { broadcastId: string }>;

/**
 * Stream `recipient-<broadcastId>-<userId>`: one stream per recipient, so a broadcast's deliveries
 * never contend on one stream. Each step happens once: repeating it (a restarted fan-out) emits nothing.
 */
export const recipientDecider: Decider<RecipientCommand, RecipientEvent, RecipientState> = {
  initialState: () => ({ status: 'none' }),

  decide(command: RecipientCommand, state: RecipientState, _ctx: DecideContext): RecipientEvent[] {
    if (command.type === 'StartRecipientDelivery') {
      if (state.status !== 'none') {
        if (state.clientId === command.data.clientId) return [];
        throw new DomainError('conflict', 'recipient delivery already exists');
      }
      return [{ type: 'RecipientDeliveryStarted', data: command.data }];
    }
    const recipient = existingRecipient(state, command.data.clientId);
    // Only a delivery under way can finish; a finished one stays as it finished.
    if (recipient.status !== 'delivering') return [];
    switch (command.type) {
      case 'RecordRecipientDelivered':
        return [{ type: 'RecipientDelivered', data: facts(recipient) }];
      case 'RecordRecipientFailed':
        return [{ type: 'RecipientFailed', data: { ...facts(recipient), reason: command.data.reason } }];
      default: {
        const unhandled: never = command;
        throw new Error(`recipient decider cannot decide ${(unhandled as RecipientCommand).type}`);
      }
    }
  },

  evolve(state: RecipientState, event: RecipientEvent): RecipientState {
    switch (event.type) {
      case 'RecipientDeliveryStarted':
        return { status: 'delivering', ...event.data };
      case 'RecipientDelivered':
        return state.status === 'none' ? state : { ...state, status: 'delivered' };
      case 'RecipientFailed':
        return state.status === 'none' ? state : { ...state, status: 'failed', reason: event.data.reason };
      default: {
        const unhandled: never = event;
        throw new Error(`recipient decider cannot apply ${(unhandled as RecipientEvent).type}`);
      }
    }
  },
};

function existingRecipient(state: RecipientState, clientId: string): ExistingRecipient {
  if (state.status === 'none' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'recipient delivery not found');
  }
  return state;
}

function facts(recipient: ExistingRecipient) {
  const { broadcastId, clientId, userId, outboundMessageId, channel } = recipient;
  return { broadcastId, clientId, userId, outboundMessageId, channel };
}
