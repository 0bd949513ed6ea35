import {
  type ConversationCommand,
  type ConversationEvent,
  endpointKey,
  limits,
  type MessagePostedData,
  type PostMessageData,
  validatePayload,
} from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';
import {
  type ConversationState,
  type ExistingConversation,
  evolveConversation,
  initialConversationState,
  messagesPresent,
} from './conversation-state.js';

/** Stream `conversation-<id>`: a conversation, its endpoints and its messages. */
export const conversationDecider: Decider<ConversationCommand, ConversationEvent, ConversationState> = {
  initialState: initialConversationState,
  evolve: evolveConversation,
  decide(command: ConversationCommand, state: ConversationState, ctx: DecideContext): ConversationEvent[] {
    if (command.type === 'StartConversation') {
      if (state.status !== 'none') throw new DomainError('conflict', 'conversation already exists');
      const { conversationId, clientId, userId, kind, endpoint } = command.data;
      const started: ConversationEvent = {
        type: 'ConversationStarted',
        data: { conversationId, clientId, userId, kind },
      };
      if (!endpoint) return [started];
      return [started, { type: 'EndpointLinked', data: { conversationId, clientId, endpoint } }];
    }

    const conversation = existingConversation(state, command.data.clientId);
    const { conversationId, clientId } = conversation;
    switch (command.type) {
      case 'LinkEndpoint': {
        const key = endpointKey(command.data.endpoint);
        if (conversation.endpoints.includes(key)) return [];
        refuseIfArchived(conversation);
        if (conversation.endpoints.length >= limits.endpointsPerConversation) {
          throw new DomainError(
            'invalid',
            `a conversation has at most ${limits.endpointsPerConversation} endpoints`,
          );
        }
        return [
          { type: 'EndpointLinked', data: { conversationId, clientId, endpoint: command.data.endpoint } },
        ];
      }
      case 'PostMessage':
        refuseIfArchived(conversation);
        return [{ type: 'MessagePosted', data: postedMessage(conversation, command.data, ctx) }];
      case 'RemoveMessage': {
        const { messageId, sequence } = command.data;
        const gone =
          sequence > conversation.lastSequence ||
          sequence <= conversation.clearedUpTo ||
          conversation.recentRemovals.includes(sequence);
        if (gone) throw new DomainError('not_found', 'message not found');
        return [{ type: 'MessageRemoved', data: { messageId, conversationId, clientId, sequence } }];
      }
      case 'ClearMessages': {
        // Nothing posted since the last clear: no event, the caller answers with a count of 0.
        const upToSequence = conversation.lastSequence;
        if (upToSequence === conversation.clearedUpTo) return [];
        // Clamped: a removal repeated beyond `recentRemovals` may have been counted twice (README).
        const count = Math.max(0, messagesPresent(conversation));
        return [{ type: 'MessagesCleared', data: { conversationId, clientId, upToSequence, count } }];
      }
      case 'ArchiveConversation':
        if (conversation.status === 'archived') return [];
        return [{ type: 'ConversationArchived', data: { conversationId, clientId } }];
      default: {
        const unhandled: never = command;
        throw new Error(`conversation decider cannot decide ${(unhandled as ConversationCommand).type}`);
      }
    }
  },
};

function existingConversation(state: ConversationState, clientId: string): ExistingConversation {
  // Another tenant's conversation is answered as if it did not exist.
  if (state.status === 'none' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'conversation not found');
  }
  return state;
}

function refuseIfArchived(conversation: ExistingConversation): void {
  if (conversation.status === 'archived') throw new DomainError('conflict', 'conversation is archived');
}

function postedMessage(
  conversation: ExistingConversation,
  command: PostMessageData,
  ctx: DecideContext,
): MessagePostedData {
  const { messageId, authorId, payload, source, incomingId, collect, endpoint } = command;

  const checked = validatePayload(payload);
  if (checked.kind === 'invalid') throw new DomainError('invalid', 'invalid message payload', checked.issues);

  if (source === 'channel') {
    // A message from a channel is written by a person, through an endpoint of this conversation.
    if (authorId === null) throw new DomainError('invalid', 'a message from a channel needs an author');
    if (!endpoint) throw new DomainError('invalid', 'a message from a channel needs its endpoint');
    if (!conversation.endpoints.includes(endpointKey(endpoint))) {
      throw new DomainError('invalid', 'the endpoint is not linked to this conversation');
    }
  } else if (endpoint) {
    throw new DomainError('invalid', 'only a message from a channel has an endpoint');
  }

  return {
    messageId,
    conversationId: conversation.conversationId,
    clientId: conversation.clientId,
    sequence: conversation.lastSequence + 1,
    authorId,
    authorKind: authorId === null ? 'bot' : 'user',
    payload,
    payloadType: checked.type,
    payloadKnown: checked.kind === 'known',
    source,
    ...(incomingId === undefined ? {} : { incomingId }),
    collect: collect ?? false,
    ...(endpoint === undefined ? {} : { endpoint }),
    sentOn: ctx.now.toISOString(),
  };
}
