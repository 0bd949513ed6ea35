import type { ConversationRow, MessageRow, UserRow } from '@switchboard/read-models';

// Read-model rows in the shapes the Botpress Messaging client deserialises.

export const userView = (u: UserRow) => ({ id: u.id, clientId: u.clientId });

export const conversationView = (c: ConversationRow) => ({
  id: c.id,
  clientId: c.clientId,
  userId: c.userId,
  createdOn: c.createdAt.toISOString(),
});

export const messageView = (m: MessageRow) => ({
  id: m.id,
  conversationId: m.conversationId,
  ...(m.authorId ? { authorId: m.authorId } : {}),
  sentOn: m.sentOn.toISOString(),
  payload: m.payload,
});
