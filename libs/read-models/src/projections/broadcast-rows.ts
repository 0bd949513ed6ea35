import { aliasIdOf } from '@switchboard/contracts';
import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * `rm.alias_outbound_messages`: one row per broadcast, `pending → sending → sent`. The delivered and
 * failed counts move with the recipients' events (recipient-rows.ts); the completion's own counts,
 * decided on the broadcast's stream, are the final word.
 */

export async function insertOutboundMessages(
  sql: postgres.ISql,
  events: ProjectedEvent<'BroadcastRequested'>[],
) {
  const rows = events.map(({ data }) => ({
    broadcast_id: data.broadcastId,
    client_id: data.clientId,
    outbound_message_id: data.outboundMessageId,
    channel: data.channel,
    audience_alias_id: data.audience.kind === 'user' ? aliasIdOf(data.audience.userId) : null,
    title: data.content.title,
    body: data.content.body ?? null,
    link_uri: data.content.link?.uri ?? null,
    link_text: data.content.link?.text ?? null,
    at: data.requestedAt,
  }));
  await sql`
    INSERT INTO rm.alias_outbound_messages
      (broadcast_id, client_id, outbound_message_id, channel, audience_alias_id, title, body, link_uri,
       link_text, status, created_at, updated_at)
    SELECT r.broadcast_id, r.client_id, r.outbound_message_id, r.channel, r.audience_alias_id, r.title, r.body,
           r.link_uri, r.link_text, 'pending', r.at, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(broadcast_id uuid, client_id uuid, outbound_message_id text, channel text, audience_alias_id text,
           title text, body text, link_uri text, link_text text, at timestamptz)
    ON CONFLICT (broadcast_id) DO NOTHING`;
}

export async function countResolvedRecipients(
  sql: postgres.ISql,
  events: ProjectedEvent<'RecipientsResolved'>[],
) {
  const rows = events.map(({ data, created }) => ({
    broadcast_id: data.broadcastId,
    count: data.userIds.length,
    at: created,
  }));
  await sql`
    UPDATE rm.alias_outbound_messages m
    SET recipient_count = m.recipient_count + r.count, updated_at = GREATEST(m.updated_at, r.at)
    FROM (
      SELECT broadcast_id, sum(count)::int AS count, max(at) AS at
      FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS x(broadcast_id uuid, count int, at timestamptz)
      GROUP BY broadcast_id
    ) r
    WHERE m.broadcast_id = r.broadcast_id`;
}

export async function dispatchOutboundMessages(
  sql: postgres.ISql,
  events: ProjectedEvent<'BroadcastDispatched'>[],
) {
  const rows = events.map(({ data, created }) => ({
    broadcast_id: data.broadcastId,
    recipient_count: data.recipientCount,
    at: created,
  }));
  await sql`
    UPDATE rm.alias_outbound_messages m
    SET status = 'sending', recipient_count = r.recipient_count, updated_at = GREATEST(m.updated_at, r.at)
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(broadcast_id uuid, recipient_count int, at timestamptz)
    WHERE m.broadcast_id = r.broadcast_id`;
}

export async function completeOutboundMessages(
  sql: postgres.ISql,
  events: ProjectedEvent<'BroadcastCompleted'>[],
) {
  const rows = events.map(({ data, created }) => ({
    broadcast_id: data.broadcastId,
    delivered: data.delivered,
    failed: data.failed,
    at: created,
  }));
  await sql`
    UPDATE rm.alias_outbound_messages m
    SET status = 'sent', delivered_count = r.delivered, failed_count = r.failed,
        updated_at = GREATEST(m.updated_at, r.at)
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(broadcast_id uuid, delivered int, failed int, at timestamptz)
    WHERE m.broadcast_id = r.broadcast_id`;
}
