import type { ConversationEvent, ConversationKind } from '@switchboard/contracts';
import { endpointKey } from '@switchboard/contracts';

/** How many of the latest removals the state remembers, to refuse removing one twice in a race. */
export const rememberedRemovals = 128;

/**
 * A conversation's state, O(1) in its number of messages (see ../../README.md): counters instead of a
 * list of messages, plus two small bounded lists. Plain JSON so it can be cached or snapshotted.
 */
export type ConversationState =
  | { status: 'none' }
  | {
      status: 'active' | 'archived';
      conversationId: string;
      clientId: string;
      userId: string;
      kind: ConversationKind;
      /** The sequence of the latest message posted; 0 before the first. The next one is this + 1. */
      lastSequence: number;
      /** Every message with a sequence up to this one has been cleared; 0 if never cleared. */
      clearedUpTo: number;
      /** How many messages after `clearedUpTo` were removed one by one. */
      removedSinceCleared: number;
      /** The sequences of the latest removals after `clearedUpTo`, oldest first, at most `rememberedRemovals`. */
      recentRemovals: number[];
      /** Keys (`endpointKey`) of the endpoints linked to the conversation, at most `limits.endpointsPerConversation`. */
      endpoints: string[];
    };

export type ExistingConversation = Extract<ConversationState, { status: 'active' | 'archived' }>;

export function initialConversationState(): ConversationState {
  return { status: 'none' };
}

/** Messages posted and neither removed nor cleared. */
export function messagesPresent(conversation: ExistingConversation): number {
  return conversation.lastSequence - conversation.clearedUpTo - conversation.removedSinceCleared;
}

export function evolveConversation(state: ConversationState, event: ConversationEvent): ConversationState {
  if (event.type === 'ConversationStarted') {
    const { conversationId, clientId, userId, kind } = event.data;
    return {
      status: 'active',
      conversationId,
      clientId,
      userId,
      kind,
      lastSequence: 0,
      clearedUpTo: 0,
      removedSinceCleared: 0,
      recentRemovals: [],
      endpoints: [],
    };
  }
  // An event before the stream's creation cannot be applied; replay keeps the state as it is.
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'EndpointLinked': {
      const key = endpointKey(event.data.endpoint);
      return state.endpoints.includes(key) ? state : { ...state, endpoints: [...state.endpoints, key] };
    }
    case 'MessagePosted':
      return { ...state, lastSequence: Math.max(state.lastSequence, event.data.sequence) };
    case 'MessageRemoved': {
      const { sequence } = event.data;
      if (sequence <= state.clearedUpTo || state.recentRemovals.includes(sequence)) return state;
      return {
        ...state,
        removedSinceCleared: state.removedSinceCleared + 1,
        recentRemovals: [...state.recentRemovals, sequence].slice(-rememberedRemovals),
      };
    }
    case 'MessagesCleared':
      return {
        ...state,
        clearedUpTo: Math.max(state.clearedUpTo, event.data.upToSequence),
        removedSinceCleared: 0,
        recentRemovals: [],
      };
    case 'ConversationArchived':
      return { ...state, status: 'archived' };
    default: {
      const unhandled: never = event;
      throw new Error(`conversation decider cannot apply ${(unhandled as ConversationEvent).type}`);
    }
  }
}
