import type { ConversationRow, DeliveryRow, MessageRow, UserRow } from '@switchboard/read-models';

// Read-model rows in the shapes the Botpress Messaging client deserialises.

export const userView = (u: UserRow) => ({ id: u.id, clientId: u.clientId });

export const conversationView = (c: ConversationRow) => ({
  id: c.id,
  clientId: c.clientId,
  userId: c.userId,
  createdOn: c.createdAt.toISOString(),
});

/**
 * A message; with `deliveries` (its delivery on each channel endpoint) when it has any, so a message
 * that never went to a channel reads exactly as the Botpress client expects it.
 */
/** What a message view needs: a stored row, or a message just posted or collected. */
export type MessageFields = Pick<MessageRow, 'id' | 'conversationId' | 'authorId' | 'sentOn' | 'payload'>;

export const messageView = (m: MessageFields, deliveries?: readonly DeliveryRow[]) => ({
  id: m.id,
  conversationId: m.conversationId,
  ...(m.authorId ? { authorId: m.authorId } : {}),
  sentOn: m.sentOn.toISOString(),
  payload: m.payload,
  ...(deliveries && deliveries.length > 0 ? { deliveries: deliveries.map(deliveryView) } : {}),
});

export const deliveryView = (d: DeliveryRow) => ({
  channel: d.channel,
  endpoint: { identity: d.endpoint.identity, sender: d.endpoint.sender, thread: d.endpoint.thread },
  status: d.status,
  ...(d.providerMessageId === null ? {} : { providerMessageId: d.providerMessageId }),
  ...(d.providerMessageIds.length === 0 ? {} : { providerMessageIds: d.providerMessageIds }),
  ...(d.reason === null ? {} : { reason: d.reason }),
  ...(d.retryable === null ? {} : { retryable: d.retryable }),
  updatedOn: d.updatedAt.toISOString(),
});
