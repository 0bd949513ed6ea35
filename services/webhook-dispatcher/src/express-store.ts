import type postgres from 'postgres';
import type { AttemptRecord, ClaimedDelivery } from './delivery-queue.js';
import { type PackedValue, packed } from './packed-column.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * A delivery the recorder handed to the express lane: sent from memory, and written to the database
 * only when it is finished, or when its queue moves to the database (a retry, a webhook too slow to
 * keep in memory, a stop). Its id is reserved when it is recorded, so every attempt carries it.
 */
export interface FreshDelivery extends ClaimedDelivery {
  /** Sequence of its event in `EVENTS`: settled when this delivery is written. */
  seq: number;
  commit: string;
  prepare: string;
  recordedAt: Date;
}

/** A fresh delivery as it goes into `dispatch.deliveries`. */
export interface DeliveryWrite {
  delivery: FreshDelivery;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attemptCount: number;
  /**
   * Pending only: when it is due ('infinity' behind the head of its queue), or that long after the
   * database's `now()` (a reservation, due at once).
   */
  nextAttemptAt: Date | 'infinity' | { afterMs: number };
  lastStatusCode?: number;
  lastError?: string;
}

/** An attempt as it goes into `dispatch.attempts` (what follows it is in its delivery's row). */
export type AttemptWrite = Omit<AttemptRecord, 'nextAttemptAt'>;

/**
 * Inserts fresh deliveries with their attempts, and moves the recorder's checkpoint up to `checkpoint`
 * when given, in one statement. A delivery that is already there (the log read again after a crash)
 * is left as it is, and so are its attempts here.
 */
export async function writeFreshDeliveries(
  sql: Sql,
  rows: readonly DeliveryWrite[],
  attempts: readonly AttemptWrite[],
  checkpoint?: { stream: string; sequence: number },
): Promise<void> {
  // Free text (the ordering key, an error) as arrays; the rest packed.
  const d = <T>(f: (w: DeliveryWrite) => T) => sql.array(rows.map(f) as never[]);
  const a = <T>(f: (w: AttemptWrite) => T) => sql.array(attempts.map(f) as never[]);
  const dp = (f: (w: DeliveryWrite) => PackedValue) => packed(sql, rows.map(f));
  const ap = (f: (w: AttemptWrite) => PackedValue) => packed(sql, attempts.map(f));
  const now = new Date().toISOString();
  const finished = (w: DeliveryWrite) => (w.status === 'pending' ? null : now);
  await sql`
    WITH cp AS (
      UPDATE dispatch.recorder_checkpoints
      SET last_sequence = greatest(last_sequence, ${checkpoint?.sequence ?? 0}), updated_at = now()
      WHERE stream = ${checkpoint?.stream ?? ''} AND last_sequence < ${checkpoint?.sequence ?? 0}
      RETURNING 1
    ), inserted AS (
      INSERT INTO dispatch.deliveries
        (id, webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare, status,
         attempt_count, next_attempt_at, deadline_at, created_at, updated_at, finished_at, last_status_code,
         last_error)
      SELECT id, w, c, e, k, pc, pp, s, n, coalesce(nx, now() + nd * interval '1 millisecond'), dl, cr, now(), f,
             sc, er
      FROM unnest(
        ${dp((w) => w.delivery.id)}::bigint[], ${dp((w) => w.delivery.webhookId)}::uuid[],
        ${dp((w) => w.delivery.clientId)}::uuid[], ${dp((w) => w.delivery.eventId)}::uuid[],
        ${d((w) => w.delivery.orderingKey)}::text[], ${dp((w) => w.delivery.commit)}::bigint[],
        ${dp((w) => w.delivery.prepare)}::bigint[], ${dp((w) => w.status)}, ${dp((w) => w.attemptCount)}::int[],
        ${dp((w) => nextAt(w.nextAttemptAt))}::timestamptz[], ${dp((w) => afterMs(w.nextAttemptAt))}::float8[],
        ${dp((w) => w.delivery.deadlineAt.toISOString())}::timestamptz[],
        ${dp((w) => w.delivery.recordedAt.toISOString())}::timestamptz[], ${dp(finished)}::timestamptz[],
        ${dp((w) => w.lastStatusCode)}::int[], ${d((w) => w.lastError ?? null)}::text[])
        AS t(id, w, c, e, k, pc, pp, s, n, nx, nd, dl, cr, f, sc, er)
      ON CONFLICT (event_id, webhook_id) DO NOTHING
      RETURNING id
    )
    INSERT INTO dispatch.attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, outcome)
    SELECT i, n, st, l, sc, er, o
    FROM unnest(
      ${ap((x) => x.deliveryId)}::bigint[], ${ap((x) => x.attempt)}::int[],
      ${ap((x) => x.startedAt.toISOString())}::timestamptz[], ${ap((x) => x.latencyMs)}::int[],
      ${ap((x) => x.statusCode)}::int[], ${a((x) => x.error ?? null)}::text[], ${ap((x) => x.outcome)})
      AS t(i, n, st, l, sc, er, o)
    WHERE i IN (SELECT id FROM inserted)
    ON CONFLICT (delivery_id, attempt) DO NOTHING`;
}

const nextAt = (at: DeliveryWrite['nextAttemptAt']) =>
  at === 'infinity' ? 'infinity' : at instanceof Date ? at.toISOString() : null;
const afterMs = (at: DeliveryWrite['nextAttemptAt']) =>
  at === 'infinity' || at instanceof Date ? null : at.afterMs;

/** The next `count` delivery ids, reserved for fresh deliveries. */
export const reserveIdsSql = (sql: Sql, count: number) =>
  sql`array(SELECT nextval('dispatch.deliveries_id_seq') FROM generate_series(1, ${count}::int))::text[]`;
