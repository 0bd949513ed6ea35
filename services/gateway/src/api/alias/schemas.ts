import { Type } from 'typebox';
import { DEFAULT_SORT } from './search-query.js';

const DateTime = Type.String({ format: 'date-time', examples: ['2020-01-19T10:30:00+00:00'] });

/** A `[string]` filter: repeat the parameter or separate values with commas. */
export const ListParam = (description: string) =>
  Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 100, description });

const DateParam = (description: string) =>
  Type.String({ maxLength: 64, description: `${description} A bare YYYY-MM-DD is a whole day.` });

export const Timeout = Type.Integer({
  minimum: 1,
  maximum: 300,
  default: 30,
  description: 'Max time to spend performing the request, in seconds.',
});

export const TimeoutQuery = Type.Object({ timeout: Timeout }, { additionalProperties: false });

/** The querystring options every search shares: dates, sort, paging, timeout. */
export const searchOptions = {
  created_from: Type.Optional(DateParam('Created on/after.')),
  created_to: Type.Optional(DateParam('Created on/before.')),
  updated_from: Type.Optional(DateParam('Updated on/after.')),
  updated_to: Type.Optional(DateParam('Updated on/before.')),
  sort: Type.Optional(
    ListParam(`Sort keys id, created, updated; prefix - to sort descending. Default ${DEFAULT_SORT}.`),
  ),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'Offset of the first result of the page.' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Results per page (1–100).' }),
  timeout: Timeout,
};

export const Paging = Type.Object({
  total: Type.Integer(),
  more: Type.Boolean(),
  next: Type.Union([Type.Integer(), Type.Null()]),
});

export const Connection = Type.Object({
  client_id: Type.String(),
  alias_id: Type.String(),
  scopes: Type.Array(Type.String()),
  channels: Type.Union([Type.Array(Type.String()), Type.Null()]),
  nickname: Type.Union([Type.String(), Type.Null()]),
  create_dt: DateTime,
  update_dt: DateTime,
});

export const OutboundMessage = Type.Object({
  client_id: Type.String(),
  outbound_message_id: Type.String(),
  channel: Type.String(),
  recipient_count: Type.Integer(),
  delivered_count: Type.Integer(),
  failed_count: Type.Integer(),
  status: Type.String({ description: 'pending, sending or sent' }),
  create_dt: DateTime,
  update_dt: DateTime,
});

export const Delivery = Type.Object({
  client_id: Type.String(),
  outbound_message_id: Type.String(),
  alias_id: Type.String(),
  channel: Type.String(),
  status: Type.String({ description: 'delivering, delivered or failed' }),
  create_dt: DateTime,
  update_dt: DateTime,
});

export const ErrorBody = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: true },
);

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  504: ErrorBody,
};

export const OUTBOUND_STATUSES = ['pending', 'sending', 'sent'] as const;
export const DELIVERY_STATUSES = ['delivering', 'delivered', 'failed'] as const;

/** Alias ids and outbound message ids in paths: anything else cannot exist (404), only length is checked. */
export const PathId = Type.String({ minLength: 1, maxLength: 200 });
