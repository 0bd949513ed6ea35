import { Type } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IdParams = Type.Object({ id: Uuid });

export const User = Type.Object({ id: Uuid, clientId: Uuid });
export const Conversation = Type.Object({
  id: Uuid,
  clientId: Uuid,
  userId: Uuid,
  createdOn: Type.String({ format: 'date-time' }),
});
/** Where a message stands on one channel endpoint (ours: the published client ignores extra fields). */
export const Delivery = Type.Object({
  channel: Type.String(),
  endpoint: Type.Object({ identity: Type.String(), sender: Type.String(), thread: Type.String() }),
  status: Type.String({ description: 'queued, sent, delivered, read, failed or unknown' }),
  providerMessageId: Type.Optional(Type.String({ description: 'The first of providerMessageIds' })),
  providerMessageIds: Type.Optional(
    Type.Array(Type.String(), {
      description: "The provider's ids of the message, one per request it took (a card: photo, then text)",
    }),
  ),
  reason: Type.Optional(Type.String()),
  retryable: Type.Optional(Type.Boolean()),
  updatedOn: Type.String({ format: 'date-time' }),
});
export const Message = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  authorId: Type.Optional(Uuid),
  sentOn: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
  deliveries: Type.Optional(Type.Array(Delivery)),
});
export const Endpoint = Type.Object({
  channel: Type.Union([
    Type.String({ minLength: 1, maxLength: 64 }),
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 64 }),
      version: Type.String({ minLength: 1, maxLength: 32 }),
    }),
  ]),
  identity: Type.String({ minLength: 1, maxLength: 512 }),
  sender: Type.String({ minLength: 1, maxLength: 512 }),
  thread: Type.String({ minLength: 1, maxLength: 512 }),
});
export const Payload = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: true, description: 'A typed message payload: text, image, card, …' },
);
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 20 });

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
});
