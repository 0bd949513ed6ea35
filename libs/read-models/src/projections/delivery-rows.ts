import type { DeliveryStatus, EventType } from '@switchboard/contracts';
import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * `rm.deliveries` (one row per message per channel endpoint) and the channel health the deliveries
 * tell (`rm.client_channels.last_success_at`, `last_error`, `last_error_at`). The decider already
 * ignores late and out-of-order reports, so each event here simply sets the status it names; times are
 * the store's append times, so a rebuild writes the same rows.
 */

export type DeliveryEventType = Extract<
  EventType,
  | 'DeliveryRequested'
  | 'DeliverySent'
  | 'DeliveryDelivered'
  | 'DeliveryRead'
  | 'DeliveryFailed'
  | 'DeliveryOutcomeUnknown'
>;

export async function insertDeliveries(sql: postgres.ISql, events: ProjectedEvent<'DeliveryRequested'>[]) {
  const rows = events.map(({ data, created }) => ({
    id: data.deliveryId,
    message_id: data.messageId,
    client_id: data.clientId,
    conversation_id: data.conversationId,
    channel: data.channel,
    endpoint: data.endpoint,
    at: created,
  }));
  await sql`
    INSERT INTO rm.deliveries (id, message_id, client_id, conversation_id, channel, endpoint, status, updated_at)
    SELECT r.id, r.message_id, r.client_id, r.conversation_id, r.channel, r.endpoint, 'queued', r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(id text, message_id uuid, client_id uuid, conversation_id uuid, channel text, endpoint jsonb,
           at timestamptz)
    ON CONFLICT (id) DO NOTHING`;
}

/** A delivery status event as a run carries it (each status type's data has these fields or fewer). */
type StatusEvent = Pick<ProjectedEvent, 'created'> & { data: unknown };

const statusOf: Record<Exclude<DeliveryEventType, 'DeliveryRequested'>, DeliveryStatus> = {
  DeliverySent: 'sent',
  DeliveryDelivered: 'delivered',
  DeliveryRead: 'read',
  DeliveryFailed: 'failed',
  DeliveryOutcomeUnknown: 'unknown',
};

/** A run of one status event type: each delivery takes the last status of the run. */
export async function updateDeliveries(
  sql: postgres.ISql,
  type: Exclude<DeliveryEventType, 'DeliveryRequested'>,
  events: readonly StatusEvent[],
) {
  const status = statusOf[type];
  const rows = events.map(({ data, created }, ord) => {
    const d = data as {
      deliveryId: string;
      clientId: string;
      channel: string;
      providerMessageIds?: string[];
      reason?: string;
      retryable?: boolean;
    };
    return {
      ord,
      id: d.deliveryId,
      client_id: d.clientId,
      channel: d.channel,
      provider_message_ids: d.providerMessageIds ?? null,
      reason: d.reason ?? null,
      retryable: d.retryable ?? null,
      at: created,
    };
  });
  await sql`
    UPDATE rm.deliveries d
    SET status = ${status},
        provider_message_id = COALESCE(r.provider_message_ids[1], d.provider_message_id),
        provider_message_ids = COALESCE(r.provider_message_ids, d.provider_message_ids),
        reason = r.reason, retryable = r.retryable, updated_at = r.at
    FROM (
      SELECT DISTINCT ON (id) * FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS x(ord int, id text, provider_message_ids text[], reason text, retryable boolean, at timestamptz)
      ORDER BY id, ord DESC
    ) r
    WHERE d.id = r.id`;
  await (status === 'failed' ? recordChannelErrors(sql, rows) : recordChannelSuccesses(sql, type, rows));
}

type HealthRow = { ord: number; client_id: string; channel: string; reason: string | null; at: Date };

async function recordChannelSuccesses(
  sql: postgres.ISql,
  type: Exclude<DeliveryEventType, 'DeliveryRequested'>,
  rows: HealthRow[],
) {
  // Only what the provider accepted or confirmed is a success; an unknown outcome is neither.
  if (type === 'DeliveryOutcomeUnknown') return;
  await sql`
    UPDATE rm.client_channels c
    SET last_success_at = GREATEST(c.last_success_at, r.at)
    FROM (
      SELECT client_id, channel, max(at) AS at
      FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS x(client_id uuid, channel text, at timestamptz)
      GROUP BY client_id, channel
    ) r
    WHERE c.client_id = r.client_id AND c.channel = r.channel`;
}

async function recordChannelErrors(sql: postgres.ISql, rows: HealthRow[]) {
  await sql`
    UPDATE rm.client_channels c
    SET last_error = r.reason, last_error_at = r.at
    FROM (
      SELECT DISTINCT ON (client_id, channel) * FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS x(ord int, client_id uuid, channel text, reason text, at timestamptz)
      ORDER BY client_id, channel, ord DESC
    ) r
    WHERE c.client_id = r.client_id AND c.channel = r.channel
      AND (c.last_error_at IS NULL OR c.last_error_at <= r.at)`;
}
