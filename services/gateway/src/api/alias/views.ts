import type { Grant } from './scopes.js';

/** The seed's date-time format: UTC to the second with an explicit offset, `2020-01-19T10:30:00+00:00`. */
export function aliasDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

export interface ConnectionRecord {
  client_id: string;
  alias_id: string;
  scopes: string[];
  channels: string[];
  nickname: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface OutboundMessageRecord {
  client_id: string;
  outbound_message_id: string;
  channel: string;
  recipient_count: number;
  delivered_count: number;
  failed_count: number;
  status: string;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRecord {
  client_id: string;
  outbound_message_id: string;
  alias_id: string;
  channel: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

/** A connection as the seed shows it: channels and nickname only for tokens with those scopes. */
export const connectionView = (row: ConnectionRecord, grant: Grant) => ({
  client_id: row.client_id,
  alias_id: row.alias_id,
  scopes: row.scopes,
  channels: grant.scopes.has('contact') ? row.channels : null,
  nickname: grant.scopes.has('nickname') ? row.nickname : null,
  create_dt: aliasDate(row.created_at),
  update_dt: aliasDate(row.updated_at),
});

export const outboundMessageView = (row: OutboundMessageRecord) => ({
  client_id: row.client_id,
  outbound_message_id: row.outbound_message_id,
  channel: row.channel,
  recipient_count: row.recipient_count,
  delivered_count: row.delivered_count,
  failed_count: row.failed_count,
  status: row.status,
  create_dt: aliasDate(row.created_at),
  update_dt: aliasDate(row.updated_at),
});

export const deliveryView = (row: DeliveryRecord) => ({
  client_id: row.client_id,
  outbound_message_id: row.outbound_message_id,
  alias_id: row.alias_id,
  channel: row.channel,
  status: row.status,
  create_dt: aliasDate(row.created_at),
  update_dt: aliasDate(row.updated_at),
});
