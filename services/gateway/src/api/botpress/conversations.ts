import { randomUUID } from 'node:crypto';
import { findConversation, findUser, listUserConversations } from '@switchboard/read-models';
import { Type } from 'typebox';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { Conversation, ErrorBody, IdParams, Limit, Uuid } from './schemas.js';
import { conversationView } from './views.js';

export function conversationRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  app.post(
    '/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Create a conversation for a user',
        security,
        body: Type.Object({ userId: Uuid }),
        response: { 201: Conversation, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const clientId = await deps.auth.clientId(request);
      const { userId } = request.body;
      if (!(await findUser(deps.sql, clientId, userId))) throw new HttpError(404, 'user not found');
      const conversationId = randomUUID();
      await deps.commands.send(request, {
        tenant: clientId,
        aggregate: 'conversation',
        type: 'StartConversation',
        payload: { conversationId, clientId, userId, kind: 'direct' },
      });
      const created = await findConversation(deps.sql, clientId, conversationId);
      return reply
        .code(201)
        .send(
          created
            ? conversationView(created)
            : { id: conversationId, clientId, userId, createdOn: new Date().toISOString() },
        );
    },
  );

  app.get(
    '/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Get a conversation',
        security,
        params: IdParams,
        response: { 200: Conversation, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const conversation = await findConversation(deps.sql, clientId, request.params.id);
      if (!conversation) throw new HttpError(404, 'conversation not found');
      return conversationView(conversation);
    },
  );

  app.get(
    '/conversations/user/:userId',
    {
      schema: {
        tags: ['conversations'],
        summary: "List a user's conversations, most recent first",
        security,
        params: Type.Object({ userId: Uuid }),
        querystring: Type.Object({ limit: Type.Optional(Limit) }),
        response: { 200: Type.Array(Conversation), 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const { userId } = request.params;
      if (!(await findUser(deps.sql, clientId, userId))) throw new HttpError(404, 'user not found');
      const rows = await listUserConversations(deps.sql, clientId, userId, request.query.limit ?? 20);
      return rows.map(conversationView);
    },
  );
}
