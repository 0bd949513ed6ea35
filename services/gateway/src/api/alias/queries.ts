import type postgres from 'postgres';
import type { DateRange, SortTerm } from './search-query.js';
import { anyOf, overlaps, type SearchResult, searchPage, within } from './search-sql.js';
import type { ConnectionRecord, DeliveryRecord, OutboundMessageRecord } from './views.js';

/**
 * The dialect's reads of the Alias read models (`rm.alias_*`, written by the core projection). Every
 * query is scoped to the calling client; connections only when offline and not revoked.
 */

type Tx = postgres.TransactionSql;

export interface Page {
  sort: SortTerm[];
  offset: number;
  limit: number;
}

export interface ConnectionFilter extends Page {
  aliasIds?: string[];
  scopes?: string[];
  channels?: string[];
  created: DateRange;
  updated: DateRange;
}

export function searchConnections(
  tx: Tx,
  clientId: string,
  filter: ConnectionFilter,
): Promise<SearchResult<ConnectionRecord>> {
  return searchPage<ConnectionRecord>(tx, {
    table: 'rm.alias_connections',
    where: [
      tx`client_id = ${clientId}`,
      tx`offline AND NOT revoked`,
      ...anyOf(tx, 'alias_id', filter.aliasIds),
      ...overlaps(tx, 'scopes', filter.scopes),
      ...overlaps(tx, 'channels', filter.channels),
      ...within(tx, 'created_at', filter.created),
      ...within(tx, 'updated_at', filter.updated),
    ],
    sortColumns: { id: 'alias_id', created: 'created_at', updated: 'updated_at' },
    ...filter,
  });
}

export async function findConnection(tx: Tx, clientId: string, aliasId: string) {
  const [row] = await tx<ConnectionRecord[]>`
    SELECT client_id, alias_id, scopes, channels, nickname, created_at, updated_at
    FROM rm.alias_connections
    WHERE client_id = ${clientId} AND alias_id = ${aliasId} AND offline AND NOT revoked`;
  return row ?? null;
}

export interface OutboundMessageFilter extends Page {
  channels?: string[];
  statuses?: string[];
  created: DateRange;
  updated: DateRange;
}

export function searchOutboundMessages(
  tx: Tx,
  clientId: string,
  filter: OutboundMessageFilter,
): Promise<SearchResult<OutboundMessageRecord>> {
  return searchPage<OutboundMessageRecord>(tx, {
    table: 'rm.alias_outbound_messages',
    where: [
      tx`client_id = ${clientId}`,
      ...anyOf(tx, 'channel', filter.channels),
      ...anyOf(tx, 'status', filter.statuses),
      ...within(tx, 'created_at', filter.created),
      ...within(tx, 'updated_at', filter.updated),
    ],
    sortColumns: { id: 'outbound_message_id', created: 'created_at', updated: 'updated_at' },
    ...filter,
  });
}

export async function findOutboundMessage(tx: Tx, clientId: string, outboundMessageId: string) {
  const [row] = await tx<(OutboundMessageRecord & { broadcast_id: string })[]>`
    SELECT broadcast_id, client_id, outbound_message_id, channel, recipient_count, delivered_count,
           failed_count, status, created_at, updated_at
    FROM rm.alias_outbound_messages
    WHERE client_id = ${clientId} AND outbound_message_id = ${outboundMessageId}`;
  return row ?? null;
}

export interface DeliveryFilter extends Page {
  aliasIds?: string[];
  channels?: string[];
  statuses?: string[];
  created: DateRange;
  updated: DateRange;
}

export function searchDeliveries(
  tx: Tx,
  clientId: string,
  broadcastId: string,
  filter: DeliveryFilter,
): Promise<SearchResult<DeliveryRecord>> {
  return searchPage<DeliveryRecord>(tx, {
    table: 'rm.alias_deliveries',
    where: [
      tx`broadcast_id = ${broadcastId}`,
      tx`client_id = ${clientId}`,
      ...anyOf(tx, 'alias_id', filter.aliasIds),
      ...anyOf(tx, 'channel', filter.channels),
      ...anyOf(tx, 'status', filter.statuses),
      ...within(tx, 'created_at', filter.created),
      ...within(tx, 'updated_at', filter.updated),
    ],
    sortColumns: { id: 'alias_id', created: 'created_at', updated: 'updated_at' },
    ...filter,
  });
}

export async function findDelivery(tx: Tx, clientId: string, broadcastId: string, aliasId: string) {
  const [row] = await tx<DeliveryRecord[]>`
    SELECT client_id, outbound_message_id, alias_id, channel, status, created_at, updated_at
    FROM rm.alias_deliveries
    WHERE broadcast_id = ${broadcastId} AND client_id = ${clientId} AND alias_id = ${aliasId}`;
  return row ?? null;
}
