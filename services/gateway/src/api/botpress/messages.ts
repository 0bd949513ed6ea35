import { randomUUID } from 'node:crypto';
import {
  findConversation,
  findMessage,
  findUser,
  listConversationMessages,
  listMessageDeliveries,
} from '@switchboard/read-models';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { readReplies, watchTurns } from './collect.js';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { ErrorBody, IdParams, Limit, Message, Payload, Uuid } from './schemas.js';
import { publishTyping, typingIntent } from './typing.js';
import { type MessageFields, messageView } from './views.js';

const MessageBody = Type.Object({
  conversationId: Uuid,
  authorId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  payload: Payload,
  incomingId: Type.Optional(Type.Union([Uuid, Type.Null()])),
});

const COLLECT_DEFAULT_MS = 5_000;
const COLLECT_MAX_MS = 50_000;

export function messageRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  /**
   * Posts a message through the conversation's decider; answers with the message as stored. When the
   * reply is this request's own message with its time, that is built from the request without a read
   * (the read model holds the same by then: the reply came after the read-your-writes wait).
   */
  const post = async (
    request: FastifyRequest,
    clientId: string,
    body: Static<typeof MessageBody>,
    collect: boolean,
  ) => {
    const authorId = body.authorId ?? null;
    if (authorId && !(await findUser(deps.sql, clientId, authorId)))
      throw new HttpError(404, 'author not found');
    const messageId = randomUUID();
    const result = await deps.commands.send<{ messageId?: string; sentOn?: string }>(request, {
      tenant: clientId,
      aggregate: 'conversation',
      type: 'PostMessage',
      payload: {
        messageId,
        conversationId: body.conversationId,
        clientId,
        authorId,
        payload: body.payload,
        source: 'api',
        ...(body.incomingId ? { incomingId: body.incomingId } : {}),
        collect,
      },
      actor: authorId ?? 'bot',
    });
    if (result.messageId === messageId && typeof result.sentOn === 'string') {
      return {
        id: messageId,
        conversationId: body.conversationId,
        authorId,
        payload: body.payload,
        sentOn: new Date(result.sentOn),
      } satisfies MessageFields;
    }
    // A retried command answers its first execution's message.
    const stored = await findMessage(deps.sql, clientId, result.messageId ?? messageId);
    return (
      stored ??
      ({
        id: messageId,
        conversationId: body.conversationId,
        authorId,
        payload: body.payload,
        sentOn: new Date(),
      } satisfies MessageFields)
    );
  };

  /**
   * Publishes a typing signal in a conversation the client owns (and by an author it owns, if any), and
   * answers what a post would, as the Botpress client expects a message back; nothing is stored.
   */
  const signalTyping = async (
    clientId: string,
    body: Static<typeof MessageBody>,
    typing: boolean,
  ): Promise<MessageFields> => {
    const authorId = body.authorId ?? null;
    if (!(await findConversation(deps.sql, clientId, body.conversationId)))
      throw new HttpError(404, 'conversation not found');
    if (authorId && !(await findUser(deps.sql, clientId, authorId)))
      throw new HttpError(404, 'author not found');
    publishTyping(deps.bus, clientId, { conversationId: body.conversationId, authorId, typing });
    return {
      id: randomUUID(),
      conversationId: body.conversationId,
      authorId,
      payload: body.payload,
      sentOn: new Date(),
    };
  };

  app.post(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Create a message (authorId null or absent: the bot). A `typing` payload is published as a ' +
          'typing signal to the channels and not stored; `typing: true` on a payload shows the ' +
          'indicator before the message',
        security,
        body: MessageBody,
        response: { 201: Message, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const clientId = await deps.auth.clientId(request);
      const typing = typingIntent(request.body.payload);
      if (typing.kind === 'signal-only') {
        return reply.code(201).send(messageView(await signalTyping(clientId, request.body, typing.typing)));
      }
      if (typing.kind === 'before-message') await signalTyping(clientId, request.body, true);
      const message = await post(request, clientId, request.body, false);
      return reply.code(201).send(messageView(message));
    },
  );

  app.post(
    '/messages/collect',
    {
      schema: {
        tags: ['messages'],
        summary: "Create a message and wait up to `timeout` ms (max 50 s) for the bot's replies to it",
        security,
        body: Type.Intersect([
          MessageBody,
          Type.Object({ timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: COLLECT_MAX_MS })) }),
        ]),
        response: { 200: Type.Array(Message), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const typing = typingIntent(request.body.payload);
      if (typing.kind === 'signal-only') {
        // A signal has no replies to collect.
        await signalTyping(clientId, request.body, typing.typing);
        return [];
      }
      if (typing.kind === 'before-message') await signalTyping(clientId, request.body, true);
      const timeoutMs = request.body.timeout ?? COLLECT_DEFAULT_MS;
      // Listen before posting, so a turn ended faster than our own post is not missed.
      const turns = watchTurns(deps.bus, clientId, request.body.conversationId);
      try {
        const message = await post(request, clientId, request.body, true);
        await turns.ended(message.id, timeoutMs);
        const replies = await readReplies(deps.store, clientId, request.body.conversationId, message.id);
        return replies.map((reply) => messageView(reply));
      } finally {
        turns.close();
      }
    },
  );

  app.post(
    '/messages/turn/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'End the answering turn of a collected message: its collect call returns at once',
        security,
        params: IdParams,
        response: { 200: Type.Object({}), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const clientId = await deps.auth.clientId(request);
      const message = await findMessage(deps.sql, clientId, request.params.id);
      if (!message) throw new HttpError(404, 'message not found');
      deps.bus.nc.publish(
        deps.bus.names.signal(clientId, message.conversationId, 'turn'),
        JSON.stringify({ messageId: message.id }),
      );
      return reply.code(200).send({});
    },
  );

  app.get(
    '/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Get a message',
        security,
        params: IdParams,
        response: { 200: Message, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const message = await findMessage(deps.sql, clientId, request.params.id);
      if (!message) throw new HttpError(404, 'message not found');
      const deliveries = await listMessageDeliveries(deps.sql, clientId, [message.id]);
      return messageView(message, deliveries.get(message.id));
    },
  );

  app.delete(
    '/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Delete a message',
        security,
        params: IdParams,
        response: { 200: Type.Object({}), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const clientId = await deps.auth.clientId(request);
      const message = await findMessage(deps.sql, clientId, request.params.id);
      if (!message) throw new HttpError(404, 'message not found');
      await deps.commands.send(request, {
        tenant: clientId,
        aggregate: 'conversation',
        type: 'RemoveMessage',
        payload: {
          conversationId: message.conversationId,
          clientId,
          messageId: message.id,
          sequence: Number(message.sequence),
        },
      });
      return reply.code(200).send({});
    },
  );

  app.get(
    '/messages/conversation/:conversationId',
    {
      schema: {
        tags: ['messages'],
        summary: "List a conversation's messages, newest first",
        security,
        params: Type.Object({ conversationId: Uuid }),
        querystring: Type.Object({
          limit: Type.Optional(Limit),
          from: Type.Optional(Type.String({ format: 'date-time', description: 'only messages sent before' })),
        }),
        response: { 200: Type.Array(Message), 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const { conversationId } = request.params;
      if (!(await findConversation(deps.sql, clientId, conversationId))) {
        throw new HttpError(404, 'conversation not found');
      }
      const from = request.query.from ? new Date(request.query.from) : undefined;
      const rows = await listConversationMessages(
        deps.sql,
        clientId,
        conversationId,
        request.query.limit ?? 20,
        from,
      );
      const deliveries = await listMessageDeliveries(
        deps.sql,
        clientId,
        rows.map((row) => row.id),
      );
      return rows.map((row) => messageView(row, deliveries.get(row.id)));
    },
  );

  app.delete(
    '/messages/conversation/:conversationId',
    {
      schema: {
        tags: ['messages'],
        summary: "Delete all of a conversation's messages",
        security,
        params: Type.Object({ conversationId: Uuid }),
        response: { 200: Type.Object({ count: Type.Integer() }), 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const { conversationId } = request.params;
      if (!(await findConversation(deps.sql, clientId, conversationId))) {
        throw new HttpError(404, 'conversation not found');
      }
      const result = await deps.commands.send<{ count?: number }>(request, {
        tenant: clientId,
        aggregate: 'conversation',
        type: 'ClearMessages',
        payload: { conversationId, clientId },
      });
      return { count: result.count ?? 0 };
    },
  );
}
