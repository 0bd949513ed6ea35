import { randomUUID } from 'node:crypto';
import { findUser } from '@switchboard/read-models';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { ErrorBody, IdParams, User } from './schemas.js';
import { userView } from './views.js';

export function userRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        security,
        response: { 201: User, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const clientId = await deps.auth.clientId(request);
      const userId = randomUUID();
      await deps.commands.send(request, {
        tenant: clientId,
        aggregate: 'user',
        type: 'CreateUser',
        payload: { userId, clientId },
      });
      return reply.code(201).send({ id: userId, clientId });
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Get a user',
        security,
        params: IdParams,
        response: { 200: User, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const user = await findUser(deps.sql, clientId, request.params.id);
      if (!user) throw new HttpError(404, 'user not found');
      return userView(user);
    },
  );
}
