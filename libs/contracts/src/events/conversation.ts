import { type Static, Type } from 'typebox';
import { AuthorKind, ConversationKind, MessageSource, Sequence } from '../conversation-terms.js';
import { Payload } from '../payloads.js';
import { ClientId, ConversationId, Endpoint, Instant, MessageId, UserId } from '../values.js';

export const ConversationStartedData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  userId: UserId,
  kind: ConversationKind,
});
export type ConversationStartedData = Static<typeof ConversationStartedData>;

export const EndpointLinkedData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  endpoint: Endpoint,
});
export type EndpointLinkedData = Static<typeof EndpointLinkedData>;

/**
 * A message, with its gapless per-conversation sequence. `payloadType`/`payloadKnown` say whether the
 * payload is a content type we know (and checked) or a client's own type stored as it came.
 */
export const MessagePostedData = Type.Object({
  messageId: MessageId,
  conversationId: ConversationId,
  clientId: ClientId,
  sequence: Sequence,
  authorId: Type.Union([UserId, Type.Null()]),
  authorKind: AuthorKind,
  payload: Payload,
  payloadType: Type.String({ minLength: 1, maxLength: 64 }),
  payloadKnown: Type.Boolean(),
  source: MessageSource,
  incomingId: Type.Optional(MessageId),
  collect: Type.Boolean(),
  endpoint: Type.Optional(Endpoint),
  sentOn: Instant,
});
export type MessagePostedData = Static<typeof MessagePostedData>;

export const MessageRemovedData = Type.Object({
  messageId: MessageId,
  conversationId: ConversationId,
  clientId: ClientId,
  sequence: Sequence,
});
export type MessageRemovedData = Static<typeof MessageRemovedData>;

/** Every message up to and including `upToSequence` is gone; `count` of them were still present. */
export const MessagesClearedData = Type.Object({
  conversationId: ConversationId,
  clientId: ClientId,
  upToSequence: Sequence,
  count: Type.Integer({ minimum: 0 }),
});
export type MessagesClearedData = Static<typeof MessagesClearedData>;

export const ConversationArchivedData = Type.Object({ conversationId: ConversationId, clientId: ClientId });
export type ConversationArchivedData = Static<typeof ConversationArchivedData>;

export const conversationEventSchemas = {
  ConversationStarted: ConversationStartedData,
  EndpointLinked: EndpointLinkedData,
  MessagePosted: MessagePostedData,
  MessageRemoved: MessageRemovedData,
  MessagesCleared: MessagesClearedData,
  ConversationArchived: ConversationArchivedData,
} as const;
