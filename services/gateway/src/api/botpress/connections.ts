import { aliasIdOf, ScopeName, TopicName } from '@switchboard/contracts';
import { type AliasConnectionRow, findAliasConnection } from '@switchboard/read-models';
import { Type } from 'typebox';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { ErrorBody, IdParams, Uuid } from './schemas.js';

/**
 * A user's connection with the client (the grant the Alias client API reads: scopes, topics, nickname).
 * The client's backend records it here when the user approves or withdraws; `/api/client` only reads it.
 */
export const Connection = Type.Object({
  userId: Uuid,
  clientId: Uuid,
  aliasId: Type.String({ description: 'The user’s id in the Alias client API (/api/client)' }),
  scopes: Type.Array(Type.String()),
  channels: Type.Array(Type.String(), { description: 'Topics the client may message the user on' }),
  nickname: Type.Union([Type.String(), Type.Null()]),
  revoked: Type.Boolean(),
  createdOn: Type.String({ format: 'date-time' }),
  updatedOn: Type.String({ format: 'date-time' }),
});

const ConnectionBody = Type.Object(
  {
    scopes: Type.Array(ScopeName, {
      maxItems: 64,
      description: 'e.g. openid, offline_access, contact, nickname',
    }),
    channels: Type.Array(TopicName, {
      maxItems: 64,
      description: 'e.g. _meta, notifications, product_updates',
    }),
    nickname: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: false },
);

function connectionView(row: AliasConnectionRow) {
  return {
    userId: row.userId,
    clientId: row.clientId,
    aliasId: row.aliasId,
    scopes: row.scopes,
    channels: row.channels,
    nickname: row.nickname,
    revoked: row.revoked,
    createdOn: row.createdAt.toISOString(),
    updatedOn: row.updatedAt.toISOString(),
  };
}

/** The connection in a connection command's result (the user's state after the command). */
interface ConnectionState {
  scopes: string[];
  channels: string[];
  nickname: string | null;
  revoked: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The connection as the command left it: the answer does not wait on the read model's lag. */
function changedView(clientId: string, userId: string, result: { connection?: ConnectionState }) {
  const c = result.connection;
  if (!c) throw new HttpError(404, 'connection not found');
  return {
    userId,
    clientId,
    aliasId: aliasIdOf(userId),
    scopes: c.scopes,
    channels: c.channels,
    nickname: c.nickname,
    revoked: c.revoked,
    createdOn: new Date(c.createdAt).toISOString(),
    updatedOn: new Date(c.updatedAt).toISOString(),
  };
}

export function connectionRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  const read = async (clientId: string, userId: string) => {
    const row = await findAliasConnection(deps.sql, clientId, userId);
    if (!row) throw new HttpError(404, 'connection not found');
    return connectionView(row);
  };

  app.put(
    '/users/:id/connection',
    {
      schema: {
        tags: ['connections'],
        summary: 'Grant or update a user’s connection with the client',
        description:
          'The whole connection: a first grant (or one after a revoke) creates it, a later one replaces its ' +
          'scopes, channels and nickname. Only connections with `offline_access` are visible at /api/client.',
        security,
        params: IdParams,
        body: ConnectionBody,
        response: { 200: Connection, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const userId = request.params.id.toLowerCase();
      const { scopes, channels, nickname } = request.body;
      const result = await deps.commands.send<{ connection?: ConnectionState }>(request, {
        tenant: clientId,
        aggregate: 'user',
        type: 'GrantConnection',
        payload: { userId, clientId, scopes, channels, nickname: nickname ?? null },
      });
      return changedView(clientId, userId, result);
    },
  );

  app.get(
    '/users/:id/connection',
    {
      schema: {
        tags: ['connections'],
        summary: 'Get a user’s connection with the client',
        security,
        params: IdParams,
        response: { 200: Connection, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => read(await deps.auth.clientId(request), request.params.id.toLowerCase()),
  );

  app.delete(
    '/users/:id/connection',
    {
      schema: {
        tags: ['connections'],
        summary: 'Revoke a user’s connection with the client',
        description: 'Deliveries not yet made to the user fail with `connection_revoked`.',
        security,
        params: IdParams,
        response: { 200: Connection, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const userId = request.params.id.toLowerCase();
      const result = await deps.commands.send<{ connection?: ConnectionState }>(request, {
        tenant: clientId,
        aggregate: 'user',
        type: 'RevokeConnection',
        payload: { userId, clientId },
      });
      return changedView(clientId, userId, result);
    },
  );
}
