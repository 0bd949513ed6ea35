import { type Static, Type } from 'typebox';
import { ConversationKind, MessageSource, Sequence } from '../conversation-terms.js';
import { Payload } from '../payloads.js';
import { ClientId, ConversationId, Endpoint, MessageId, UserId } from '../values.js';

/**
 * Starts a conversation owned by a user. With an endpoint, links it in the same step, so a
 * conversation mapped from a channel never exists without its endpoint.
 */
export const StartConversationData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  userId: UserId,
  kind: ConversationKind,
  endpoint: Type.Optional(Endpoint),
});
export type StartConversationData = Static<typeof StartConversationData>;

export const LinkEndpointData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  endpoint: Endpoint,
});
export type LinkEndpointData = Static<typeof LinkEndpointData>;

/**
 * Posts a message. `authorId` null means the bot. A message from a channel names the endpoint it came
 * through (linked to the conversation), so connectors do not echo it back there. `incomingId` is the
 * message this one answers; `collect` marks a message whose answers the caller is waiting for.
 */
export const PostMessageData = Type.Object({
  messageId: MessageId,
  conversationId: ConversationId,
  clientId: ClientId,
  authorId: Type.Union([UserId, Type.Null()]),
  payload: Payload,
  source: MessageSource,
  incomingId: Type.Optional(MessageId),
  collect: Type.Optional(Type.Boolean()),
  endpoint: Type.Optional(Endpoint),
});
export type PostMessageData = Static<typeof PostMessageData>;

/**
 * Removes one message. The caller looks the message up (tenant-scoped) in the read model and gives its
 * sequence: the conversation's state does not list its messages (see libs/domain/README.md).
 */
export const RemoveMessageData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  messageId: MessageId,
  sequence: Sequence,
});
export type RemoveMessageData = Static<typeof RemoveMessageData>;

/** Removes every message posted so far. */
export const ClearMessagesData = Type.Object({ conversationId: ConversationId, clientId: ClientId });
export type ClearMessagesData = Static<typeof ClearMessagesData>;

export const ArchiveConversationData = Type.Object({ conversationId: ConversationId, clientId: ClientId });
export type ArchiveConversationData = Static<typeof ArchiveConversationData>;

export const conversationCommandSchemas = {
  StartConversation: StartConversationData,
  LinkEndpoint: LinkEndpointData,
  PostMessage: PostMessageData,
  RemoveMessage: RemoveMessageData,
  ClearMessages: ClearMessagesData,
  ArchiveConversation: ArchiveConversationData,
} as const;
