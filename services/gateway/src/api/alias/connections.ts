import { Type } from 'typebox';
import { insufficientScope } from './bearer.js';
import { notFound } from './errors.js';
import type { AliasApp, AliasDeps } from './plugin-types.js';
import { findConnection, searchConnections } from './queries.js';
import {
  Connection,
  errorResponses,
  ListParam,
  Paging,
  PathId,
  searchOptions,
  TimeoutQuery,
} from './schemas.js';
import { paging, parseList, parseSearchOptions } from './search-query.js';
import { withinTimeout } from './search-sql.js';
import { connectionView } from './views.js';

const security = [{ aliasOAuth: ['client:connections'] }];

export function connectionRoutes(app: AliasApp, deps: AliasDeps): void {
  app.get(
    '/connections',
    {
      schema: {
        tags: ['alias'],
        summary: 'List connections with the offline_access scope (scope client:connections)',
        security,
        querystring: Type.Object(
          {
            alias_id: Type.Optional(ListParam('Filter by user alias ID.')),
            scope: Type.Optional(ListParam('Filter by granted scopes (any of them).')),
            channel: Type.Optional(ListParam('Filter by granted channels (any of them; needs contact).')),
            ...searchOptions,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ connections: Type.Array(Connection), paging: Paging }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:connections');
      const query = request.query;
      const channels = parseList('channel', query.channel);
      // Channels are hidden without `contact`: filtering by them would reveal them.
      if (channels && !caller.grant.scopes.has('contact'))
        throw insufficientScope('contact', 'filtering by channel requires the contact scope');
      const filter = {
        ...parseSearchOptions(query),
        aliasIds: parseList('alias_id', query.alias_id),
        scopes: parseList('scope', query.scope),
        channels,
      };
      const result = await withinTimeout(deps.sql, query.timeout, (tx) =>
        searchConnections(tx, caller.clientId, filter),
      );
      return {
        connections: result.rows.map((row) => connectionView(row, caller.grant)),
        paging: paging(result.total, filter.offset, result.rows.length),
      };
    },
  );

  app.get(
    '/connections/:alias_id',
    {
      schema: {
        tags: ['alias'],
        summary: "Fetch a user's connection with the offline_access scope (scope client:connections)",
        security,
        params: Type.Object({ alias_id: PathId }),
        querystring: TimeoutQuery,
        response: { 200: Connection, ...errorResponses },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:connections');
      const row = await withinTimeout(deps.sql, request.query.timeout, (tx) =>
        findConnection(tx, caller.clientId, request.params.alias_id),
      );
      if (!row) throw notFound(`connection ${request.params.alias_id} not found`);
      return connectionView(row, caller.grant);
    },
  );
}
