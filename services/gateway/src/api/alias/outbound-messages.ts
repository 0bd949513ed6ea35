import { Type } from 'typebox';
import { notFound } from './errors.js';
import type { AliasApp, AliasDeps } from './plugin-types.js';
import { findDelivery, findOutboundMessage, searchDeliveries, searchOutboundMessages } from './queries.js';
import {
  DELIVERY_STATUSES,
  Delivery,
  errorResponses,
  ListParam,
  OUTBOUND_STATUSES,
  OutboundMessage,
  Paging,
  PathId,
  searchOptions,
  TimeoutQuery,
} from './schemas.js';
import { paging, parseList, parseSearchOptions } from './search-query.js';
import { withinTimeout } from './search-sql.js';
import { deliveryView, outboundMessageView } from './views.js';

const OutboundParams = Type.Object({ outbound_message_id: PathId });
const missing = (id: string) => notFound(`outbound message ${id} not found`);

export function outboundMessageRoutes(app: AliasApp, deps: AliasDeps): void {
  const security = [{ aliasOAuth: ['client:outbound_messages'] }];

  app.get(
    '/outbound-messages',
    {
      schema: {
        tags: ['alias'],
        summary: 'List outbound messages sent by the client (scope client:outbound_messages)',
        security,
        querystring: Type.Object(
          {
            channel: Type.Optional(ListParam('Filter by message channel.')),
            status: Type.Optional(ListParam(`Filter by status: ${OUTBOUND_STATUSES.join(', ')}.`)),
            ...searchOptions,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ outbound_messages: Type.Array(OutboundMessage), paging: Paging }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:outbound_messages');
      const query = request.query;
      const filter = {
        ...parseSearchOptions(query),
        channels: parseList('channel', query.channel),
        statuses: parseList('status', query.status, OUTBOUND_STATUSES),
      };
      const result = await withinTimeout(deps.sql, query.timeout, (tx) =>
        searchOutboundMessages(tx, caller.clientId, filter),
      );
      return {
        outbound_messages: result.rows.map(outboundMessageView),
        paging: paging(result.total, filter.offset, result.rows.length),
      };
    },
  );

  app.get(
    '/outbound-messages/:outbound_message_id',
    {
      schema: {
        tags: ['alias'],
        summary: 'Fetch an outbound message sent by the client (scope client:outbound_messages)',
        security,
        params: OutboundParams,
        querystring: TimeoutQuery,
        response: { 200: OutboundMessage, ...errorResponses },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:outbound_messages');
      const id = request.params.outbound_message_id;
      const row = await withinTimeout(deps.sql, request.query.timeout, (tx) =>
        findOutboundMessage(tx, caller.clientId, id),
      );
      if (!row) throw missing(id);
      return outboundMessageView(row);
    },
  );

  app.get(
    '/outbound-messages/:outbound_message_id/deliveries',
    {
      schema: {
        tags: ['alias'],
        summary: 'List the delivery records of an outbound message (scope client:outbound_messages)',
        security,
        params: OutboundParams,
        querystring: Type.Object(
          {
            alias_id: Type.Optional(ListParam('Filter by the alias ID of the recipient user.')),
            channel: Type.Optional(ListParam('Filter by channel.')),
            status: Type.Optional(ListParam(`Filter by delivery status: ${DELIVERY_STATUSES.join(', ')}.`)),
            ...searchOptions,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ deliveries: Type.Array(Delivery), paging: Paging }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:outbound_messages');
      const query = request.query;
      const id = request.params.outbound_message_id;
      const filter = {
        ...parseSearchOptions(query),
        aliasIds: parseList('alias_id', query.alias_id),
        channels: parseList('channel', query.channel),
        statuses: parseList('status', query.status, DELIVERY_STATUSES),
      };
      const result = await withinTimeout(deps.sql, query.timeout, async (tx, renew) => {
        const message = await findOutboundMessage(tx, caller.clientId, id);
        if (!message) return null;
        await renew();
        return searchDeliveries(tx, caller.clientId, message.broadcast_id, filter);
      });
      if (!result) throw missing(id);
      return {
        deliveries: result.rows.map(deliveryView),
        paging: paging(result.total, filter.offset, result.rows.length),
      };
    },
  );

  app.get(
    '/outbound-messages/:outbound_message_id/deliveries/:alias_id',
    {
      schema: {
        tags: ['alias'],
        summary: 'Fetch the delivery record of an outbound message to one user (scope contact)',
        security: [{ aliasOAuth: ['contact'] }],
        params: Type.Object({ outbound_message_id: PathId, alias_id: PathId }),
        querystring: TimeoutQuery,
        response: { 200: Delivery, ...errorResponses },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'contact');
      const { outbound_message_id: id, alias_id: aliasId } = request.params;
      const found = await withinTimeout(deps.sql, request.query.timeout, async (tx, renew) => {
        const message = await findOutboundMessage(tx, caller.clientId, id);
        if (!message) return { message: null, delivery: null };
        await renew();
        return { message, delivery: await findDelivery(tx, caller.clientId, message.broadcast_id, aliasId) };
      });
      if (!found.message) throw missing(id);
      if (!found.delivery) throw notFound(`no delivery of outbound message ${id} to ${aliasId}`);
      return deliveryView(found.delivery);
    },
  );
}
