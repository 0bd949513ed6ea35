import type postgres from 'postgres';
import { announceDue, promoteHeads, type QueueKey } from './delivery-queue.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dead'];

export interface DeliverySummary {
  id: string;
  webhookId: string;
  clientId: string;
  url: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Null unless pending; 'infinity' (waiting behind an earlier event) is shown as null too. */
  nextAttemptAt: Date | null;
  deadlineAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
}

export interface AttemptView {
  attempt: number;
  startedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'failed' | 'dead';
}

export interface DeliveryDetail extends DeliverySummary {
  body: string;
  attempts: AttemptView[];
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  webhookId?: string;
  clientId?: string;
  /** Deliveries of events recorded at or after this time. */
  since?: Date;
  /** Deliveries of events recorded before this time. */
  until?: Date;
  /** Newest first; default 100. */
  limit?: number;
}

interface SummaryRow {
  id: string;
  webhook_id: string;
  client_id: string;
  url: string;
  event_id: string;
  type: string;
  status: DeliveryStatus;
  attempt_count: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  next_attempt_at: Date | null;
  deadline_at: Date;
  last_status_code: number | null;
  last_error: string | null;
}

const summary = (r: SummaryRow): DeliverySummary => ({
  id: String(r.id),
  webhookId: r.webhook_id,
  clientId: r.client_id,
  url: r.url,
  eventId: r.event_id,
  eventType: r.type,
  status: r.status,
  attemptCount: r.attempt_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  nextAttemptAt: r.next_attempt_at,
  deadlineAt: r.deadline_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
});

const summaryColumns = (sql: postgres.Sql) => sql`
  d.id, d.webhook_id, d.client_id, w.url, d.event_id, e.type, d.status, d.attempt_count, d.created_at,
  d.updated_at, d.finished_at,
  CASE WHEN d.status = 'pending' AND d.next_attempt_at < 'infinity' THEN d.next_attempt_at END AS next_attempt_at,
  d.deadline_at, d.last_status_code, d.last_error`;

function conditions(sql: postgres.Sql, f: DeliveryFilter) {
  return sql`
    ${f.status ? sql`AND d.status = ${f.status}` : sql``}
    ${f.webhookId ? sql`AND d.webhook_id = ${f.webhookId}` : sql``}
    ${f.clientId ? sql`AND d.client_id = ${f.clientId}` : sql``}
    ${f.since ? sql`AND d.created_at >= ${f.since}` : sql``}
    ${f.until ? sql`AND d.created_at < ${f.until}` : sql``}`;
}

/** Deliveries matching the filter, newest first. */
export async function listDeliveries(
  sql: postgres.Sql,
  filter: DeliveryFilter = {},
): Promise<DeliverySummary[]> {
  const rows = await sql<SummaryRow[]>`
    SELECT ${summaryColumns(sql)}
    FROM dispatch.deliveries d
    JOIN dispatch.events e ON e.id = d.event_id
    JOIN dispatch.webhooks w ON w.id = d.webhook_id
    WHERE true ${conditions(sql, filter)}
    ORDER BY d.id DESC
    LIMIT ${filter.limit ?? 100}`;
  return rows.map(summary);
}

/** One delivery with its body and every attempt, or undefined. */
export async function getDelivery(sql: postgres.Sql, id: string): Promise<DeliveryDetail | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined;
  const [row] = await sql<(SummaryRow & { body: string })[]>`
    SELECT ${summaryColumns(sql)}, e.body
    FROM dispatch.deliveries d
    JOIN dispatch.events e ON e.id = d.event_id
    JOIN dispatch.webhooks w ON w.id = d.webhook_id
    WHERE d.id = ${id}`;
  if (!row) return undefined;
  const attempts = await sql<
    {
      attempt: number;
      started_at: Date;
      latency_ms: number;
      status_code: number | null;
      error: string | null;
      outcome: AttemptView['outcome'];
    }[]
  >`
    SELECT attempt, started_at, latency_ms, status_code, error, outcome
    FROM dispatch.attempts WHERE delivery_id = ${id} ORDER BY attempt`;
  return {
    ...summary(row),
    body: row.body,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at,
      latencyMs: a.latency_ms,
      statusCode: a.status_code,
      error: a.error,
      outcome: a.outcome,
    })),
  };
}

export type RedriveTarget =
  /** These deliveries, if dead or failed. */
  | { ids: readonly string[] }
  /** Every delivery in `status` (default dead) matching the filter: a webhook's, a time range, or both. */
  | { filter: Omit<DeliveryFilter, 'limit' | 'status'>; status?: 'dead' | 'failed' };

/**
 * Puts dead (or failed) deliveries back to pending, each with a fresh retry window, behind whatever
 * its queue is delivering now; then wakes the dispatchers. Attempt numbers carry on.
 */
export async function redriveDeliveries(
  sql: postgres.Sql,
  target: RedriveTarget,
  retryWindowMs: number,
): Promise<string[]> {
  const window = sql`now() + ${retryWindowMs}::float8 * interval '1 millisecond'`;
  const ids = 'ids' in target ? target.ids.filter((id) => /^[0-9]{1,18}$/.test(id)) : [];
  if ('ids' in target && ids.length === 0) return [];
  const where =
    'ids' in target
      ? sql`d.id IN ${sql(ids)} AND d.status IN ('dead', 'failed')`
      : sql`d.status = ${target.status ?? 'dead'} ${conditions(sql, target.filter)}`;
  const rows = await sql<{ id: string; webhook_id: string; ordering_key: string }[]>`
    UPDATE dispatch.deliveries d
    SET status = 'pending', next_attempt_at = 'infinity', deadline_at = ${window}, finished_at = NULL,
        updated_at = now()
    WHERE ${where}
    RETURNING d.id, d.webhook_id, d.ordering_key`;
  const keys = new Map<string, QueueKey>();
  for (const r of rows) {
    keys.set(`${r.webhook_id} ${r.ordering_key}`, { webhookId: r.webhook_id, orderingKey: r.ordering_key });
  }
  await promoteHeads(sql, [...keys.values()]);
  if (rows.length > 0) await announceDue(sql);
  return rows.map((r) => String(r.id));
}
