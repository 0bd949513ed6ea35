import { aliasIdOf } from '@switchboard/contracts';
import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * `rm.alias_deliveries` (one row per recipient of a broadcast), the outbound message's delivered and
 * failed counts, and the in-app inbox item a delivery leaves. The recipient decider emits each outcome
 * once, so counting events counts recipients.
 */

export async function insertRecipientDeliveries(
  sql: postgres.ISql,
  events: ProjectedEvent<'RecipientDeliveryStarted'>[],
) {
  const rows = events.map(({ data, created }) => ({
    broadcast_id: data.broadcastId,
    user_id: data.userId,
    client_id: data.clientId,
    outbound_message_id: data.outboundMessageId,
    alias_id: aliasIdOf(data.userId),
    channel: data.channel,
    at: created,
  }));
  await sql`
    INSERT INTO rm.alias_deliveries
      (broadcast_id, user_id, client_id, outbound_message_id, alias_id, channel, status, created_at, updated_at)
    SELECT r.broadcast_id, r.user_id, r.client_id, r.outbound_message_id, r.alias_id, r.channel, 'delivering',
           r.at, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(broadcast_id uuid, user_id uuid, client_id uuid, outbound_message_id text, alias_id text,
           channel text, at timestamptz)
    ON CONFLICT (broadcast_id, user_id) DO NOTHING`;
}

export async function finishRecipientDeliveries(
  sql: postgres.ISql,
  outcome: 'delivered' | 'failed',
  events: readonly (ProjectedEvent<'RecipientDelivered'> | ProjectedEvent<'RecipientFailed'>)[],
) {
  const rows = events.map(({ data, created }) => ({
    broadcast_id: data.broadcastId,
    user_id: data.userId,
    reason: 'reason' in data ? data.reason : null,
    at: created,
  }));
  const param = jsonRows(sql, rows);
  // Only rows still delivering count, so the counts cannot drift from the rows.
  const finished = await sql<{ broadcast_id: string }[]>`
    UPDATE rm.alias_deliveries d SET status = ${outcome}, reason = r.reason, updated_at = r.at
    FROM jsonb_to_recordset(${param}::jsonb) AS r(broadcast_id uuid, user_id uuid, reason text, at timestamptz)
    WHERE d.broadcast_id = r.broadcast_id AND d.user_id = r.user_id AND d.status = 'delivering'
    RETURNING d.broadcast_id`;
  if (finished.length === 0) return;
  const counts = new Map<string, number>();
  for (const row of finished) counts.set(row.broadcast_id, (counts.get(row.broadcast_id) ?? 0) + 1);
  const at = new Date(Math.max(...rows.map((row) => row.at.getTime())));
  const countRows = [...counts].map(([broadcast_id, count]) => ({ broadcast_id, count }));
  const delivered = outcome === 'delivered';
  await sql`
    UPDATE rm.alias_outbound_messages m
    SET delivered_count = m.delivered_count + CASE WHEN ${delivered} THEN r.count ELSE 0 END,
        failed_count = m.failed_count + CASE WHEN ${delivered} THEN 0 ELSE r.count END,
        updated_at = GREATEST(m.updated_at, ${at})
    FROM jsonb_to_recordset(${jsonRows(sql, countRows)}::jsonb) AS r(broadcast_id uuid, count int)
    WHERE m.broadcast_id = r.broadcast_id`;
  if (outcome === 'delivered') {
    await sql`
      INSERT INTO rm.inbox_items
        (user_id, broadcast_id, client_id, channel, title, body, link_uri, link_text, created_at)
      SELECT r.user_id, m.broadcast_id, m.client_id, m.channel, m.title, m.body, m.link_uri, m.link_text, r.at
      FROM jsonb_to_recordset(${param}::jsonb) AS r(broadcast_id uuid, user_id uuid, at timestamptz)
      JOIN rm.alias_outbound_messages m ON m.broadcast_id = r.broadcast_id
      ON CONFLICT (user_id, broadcast_id) DO NOTHING`;
  }
}
