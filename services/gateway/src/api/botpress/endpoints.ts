import { endpointIds } from '@switchboard/contracts';
import { findConversation, listConversationEndpoints } from '@switchboard/read-models';
import { Type } from 'typebox';
import { CommandFailedError } from '../../commands.js';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { Endpoint, ErrorBody, Uuid } from './schemas.js';

async function existsOrCreate(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (error instanceof CommandFailedError && error.failure.status === 'conflict') return;
    throw error;
  }
}

export function endpointRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  app.post(
    '/endpoints/map',
    {
      schema: {
        tags: ['endpoints'],
        summary: 'Map an endpoint to a conversation, creating its user and conversation on first contact',
        security,
        body: Endpoint,
        response: { 200: Type.Object({ conversationId: Uuid }) },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const body = request.body;
      const channel =
        typeof body.channel === 'string' ? { name: body.channel, version: '1.0.0' } : body.channel;
      const endpoint = { channel, identity: body.identity, sender: body.sender, thread: body.thread };
      // The ids come from the endpoint itself, the same the command handler derives for inbound channel
      // traffic: mapping an endpoint finds the conversation its messages created, and vice versa.
      const ids = endpointIds(clientId, { ...endpoint, channel: channel.name, version: channel.version });
      // Both steps are idempotent: a user or conversation that already exists (an earlier or a
      // concurrent mapping of the same endpoint) answers conflict, which here means "found".
      await existsOrCreate(() =>
        deps.commands.send(request, {
          tenant: clientId,
          aggregate: 'user',
          type: 'CreateUser',
          payload: { clientId, userId: ids.userId },
        }),
      );
      await existsOrCreate(() =>
        deps.commands.send(request, {
          tenant: clientId,
          aggregate: 'conversation',
          type: 'StartConversation',
          payload: {
            clientId,
            conversationId: ids.conversationId,
            userId: ids.userId,
            kind: 'direct',
            endpoint,
          },
        }),
      );
      return { conversationId: ids.conversationId };
    },
  );

  app.get(
    '/endpoints/conversation/:conversationId',
    {
      schema: {
        tags: ['endpoints'],
        summary: "List a conversation's endpoints",
        security,
        params: Type.Object({ conversationId: Uuid }),
        response: { 200: Type.Array(Endpoint), 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const { conversationId } = request.params;
      if (!(await findConversation(deps.sql, clientId, conversationId))) {
        throw new HttpError(404, 'conversation not found');
      }
      const rows = await listConversationEndpoints(deps.sql, clientId, conversationId);
      return rows.map((r) => ({
        channel: { name: r.channelName, version: r.channelVersion },
        identity: r.identity,
        sender: r.sender,
        thread: r.thread,
      }));
    },
  );
}
