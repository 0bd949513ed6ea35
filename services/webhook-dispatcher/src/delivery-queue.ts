import type postgres from 'postgres';
import { DUE_CHANNEL } from './schema.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/** One queue: the deliveries of one webhook with one ordering key (the event's stream). */
export interface QueueKey {
  webhookId: string;
  orderingKey: string;
}

/** A delivery reserved by this process for one attempt, with what the attempt needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  clientId: string;
  eventId: string;
  orderingKey: string;
  /** Attempts already made. */
  attemptCount: number;
  deadlineAt: Date;
  eventType: string;
  body: string;
  url: string;
  tokenSealed: string;
  webhookRemoved: boolean;
  /** The trace of the request that caused the event, when it was recorded with one. */
  traceparent: string | undefined;
}

interface ClaimedRow {
  id: string;
  webhook_id: string;
  client_id: string;
  event_id: string;
  ordering_key: string;
  attempt_count: number;
  deadline_at: Date;
  type: string;
  body: string;
  url: string;
  token_sealed: string;
  removed_at: Date | null;
  traceparent: string | null;
}

const claimed = (r: ClaimedRow): ClaimedDelivery => ({
  id: String(r.id),
  webhookId: r.webhook_id,
  clientId: r.client_id,
  eventId: r.event_id,
  orderingKey: r.ordering_key,
  attemptCount: r.attempt_count,
  deadlineAt: r.deadline_at,
  eventType: r.type,
  body: r.body,
  url: r.url,
  tokenSealed: r.token_sealed,
  webhookRemoved: r.removed_at !== null,
  traceparent: r.traceparent ?? undefined,
});

/**
 * Makes the head of each queue due when it is waiting at 'infinity' (its predecessor is finished).
 * Run after the change that may have unblocked it has committed, by whoever made that change: the
 * recorder after adding deliveries, a worker that found nothing next after finishing one, a re-drive,
 * the periodic repair. Between a worker finishing a head without seeing rows added meanwhile, and the
 * recorder adding rows without seeing the head finished, the later of the two checks, made after both
 * commits, sees both and makes the new head due. A head another worker has just taken is left alone:
 * the update re-checks 'infinity' under the row lock.
 */
export async function promoteHeads(
  sql: Sql,
  keys: readonly QueueKey[],
  options: { announce?: boolean } = {},
): Promise<number> {
  if (keys.length === 0 && !options.announce) return 0;
  const sorted = [...keys].sort((a, b) =>
    a.webhookId === b.webhookId
      ? a.orderingKey.localeCompare(b.orderingKey)
      : a.webhookId.localeCompare(b.webhookId),
  );
  // The heads first (one index probe per queue), then the update by id (an array, so by primary key):
  // left to itself the planner may walk every waiting row and probe every queue for each. With `announce`, the wake-up of
  // `announceDue` goes in the same statement (one round trip instead of two).
  const [row] = await sql<{ promoted: number }[]>`
    WITH heads AS MATERIALIZED (
      SELECT head.id
      FROM unnest(${sql.array(sorted.map((k) => k.webhookId))}::uuid[], ${sql.array(sorted.map((k) => k.orderingKey))}::text[])
             AS q(webhook_id, ordering_key)
      CROSS JOIN LATERAL (
        SELECT h.id FROM dispatch.deliveries h
        WHERE h.webhook_id = q.webhook_id AND h.ordering_key = q.ordering_key AND h.status = 'pending'
        ORDER BY h.position_commit, h.position_prepare
        LIMIT 1
      ) head
    ), promoted AS (
      UPDATE dispatch.deliveries d
      SET next_attempt_at = now(), updated_at = now()
      WHERE d.id = ANY (ARRAY(SELECT id FROM heads)) AND d.status = 'pending' AND d.next_attempt_at = 'infinity'
      RETURNING d.id
    )
    SELECT (SELECT count(*) FROM promoted)::int AS promoted
           ${options.announce ? sql`, pg_notify(${DUE_CHANNEL}, '')` : sql``}`;
  return row?.promoted ?? 0;
}

/**
 * Makes due the head of every queue that has nothing due: after a crash between finishing a delivery
 * and starting the next, or a promotion that failed. Run at start and now and then.
 */
export async function repairStalledQueues(sql: Sql): Promise<number> {
  const stalled = await sql<{ webhook_id: string; ordering_key: string }[]>`
    SELECT DISTINCT webhook_id, ordering_key FROM dispatch.deliveries w
    WHERE w.status = 'pending' AND w.next_attempt_at = 'infinity'
      AND NOT EXISTS (
        SELECT 1 FROM dispatch.deliveries f
        WHERE f.webhook_id = w.webhook_id AND f.ordering_key = w.ordering_key AND f.status = 'pending'
          AND f.next_attempt_at < 'infinity')`;
  let promoted = 0;
  for (let i = 0; i < stalled.length; i += 500) {
    const keys = stalled
      .slice(i, i + 500)
      .map((r) => ({ webhookId: r.webhook_id, orderingKey: r.ordering_key }));
    promoted += await promoteHeads(sql, keys);
  }
  return promoted;
}

/** Tells every dispatcher replica that deliveries may have become due. */
export async function announceDue(sql: Sql): Promise<void> {
  await sql`SELECT pg_notify(${DUE_CHANNEL}, '')`;
}

const claimedColumns = (sql: Sql) => sql`
  d.id, d.webhook_id, d.client_id, d.event_id, d.ordering_key, d.attempt_count, d.deadline_at,
  e.type, e.body, e.traceparent, w.url, w.token_sealed, w.removed_at`;

export interface ClaimOptions {
  /** Most deliveries to reserve. */
  limit: number;
  /** Reservation beyond now: the attempt's time limit plus a margin. */
  leaseMs: number;
  /** Most attempts in flight per webhook in this process. */
  perWebhook: number;
  /** Attempts this process has in flight per webhook (those at `perWebhook` are skipped). */
  busy: ReadonlyMap<string, number>;
}

/**
 * Reserves due deliveries, oldest due first, at most `perWebhook - busy` per webhook, skipping rows
 * another replica is reserving. A webhook already at its limit is left out before the oldest due are
 * picked, so a webhook with a large due backlog cannot crowd the others out.
 */
export async function claimDue(sql: Sql, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const busy = [...options.busy.entries()].filter(([, n]) => n > 0);
  const saturated = busy.filter(([, n]) => n >= options.perWebhook).map(([id]) => id);
  const rows = await sql<ClaimedRow[]>`
    WITH candidates AS MATERIALIZED (
      SELECT id, webhook_id, next_attempt_at FROM dispatch.deliveries
      WHERE status = 'pending' AND next_attempt_at < 'infinity' AND next_attempt_at <= now()
        AND webhook_id <> ALL(${sql.array(saturated)}::uuid[])
      ORDER BY next_attempt_at
      LIMIT ${options.limit * 4}
    ), ranked AS (
      SELECT c.id, c.next_attempt_at,
             row_number() OVER (PARTITION BY c.webhook_id ORDER BY c.next_attempt_at, c.id) AS rn,
             ${options.perWebhook}::int - coalesce(b.n, 0) AS room
      FROM candidates c
      LEFT JOIN unnest(${sql.array(busy.map(([id]) => id))}::uuid[], ${sql.array(busy.map(([, n]) => n))}::int[])
        AS b(webhook_id, n) ON b.webhook_id = c.webhook_id
    ), picked AS MATERIALIZED (
      SELECT d.id, r.next_attempt_at FROM dispatch.deliveries d JOIN ranked r ON r.id = d.id
      WHERE r.rn <= r.room AND d.status = 'pending' AND d.next_attempt_at <= now()
      ORDER BY r.next_attempt_at
      LIMIT ${options.limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE dispatch.deliveries d
    SET next_attempt_at = now() + ${options.leaseMs}::float8 * interval '1 millisecond', updated_at = now()
    FROM picked, dispatch.events e, dispatch.webhooks w
    WHERE d.id = picked.id AND e.id = d.event_id AND w.id = d.webhook_id
    RETURNING ${claimedColumns(sql)}`;
  return rows.map(claimed);
}

/**
 * After a delivery is finished: reserves the next one of its queue for the same worker (`take`), or
 * just makes it due. Only a head waiting at 'infinity' is taken, re-checked under its row lock, so a
 * concurrent promotion and this never both start it.
 */
export async function nextInQueue(
  sql: Sql,
  key: QueueKey,
  options: { take: boolean; leaseMs: number },
): Promise<ClaimedDelivery | undefined> {
  const until = options.take
    ? sql`now() + ${options.leaseMs}::float8 * interval '1 millisecond'`
    : sql`now()`;
  const rows = await sql<ClaimedRow[]>`
    WITH head AS MATERIALIZED (
      SELECT id FROM dispatch.deliveries
      WHERE webhook_id = ${key.webhookId} AND ordering_key = ${key.orderingKey} AND status = 'pending'
      ORDER BY position_commit, position_prepare
      LIMIT 1
    )
    UPDATE dispatch.deliveries d
    SET next_attempt_at = ${until}, updated_at = now()
    FROM dispatch.events e, dispatch.webhooks w
    WHERE d.id = (SELECT id FROM head) AND d.status = 'pending' AND d.next_attempt_at = 'infinity'
      AND e.id = d.event_id AND w.id = d.webhook_id
    RETURNING ${claimedColumns(sql)}`;
  const row = rows[0];
  return options.take && row ? claimed(row) : undefined;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  latencyMs: number;
  statusCode?: number;
  error?: string;
  outcome: 'delivered' | 'retry' | 'failed' | 'dead';
  /** When the next attempt is due (outcome 'retry'). */
  nextAttemptAt?: Date;
}

/** An attempt to record, with what to do next in its queue when it finished the delivery. */
export interface AttemptToRecord extends AttemptRecord {
  key: QueueKey;
  /**
   * When the attempt finished its delivery (any outcome but 'retry'): reserve the next delivery of the
   * queue for the caller, or (false, e.g. while stopping) only make it due.
   */
  take: boolean;
}

export interface RecordedAttempt {
  /** The next delivery of the queue, reserved for the caller (`take`). */
  next: ClaimedDelivery | undefined;
  /**
   * False when the attempt finished its delivery and no next one was made due or taken: the caller runs
   * `promoteHeads` for the queue once this has committed (rows may have been added meanwhile, or the
   * head was locked by a promotion running at the same time).
   */
  moved: boolean;
}

/**
 * Records attempts (of any queues, at most one per queue) and their deliveries' new state in one
 * statement, so in one transaction and one round trip: a retry sets when the delivery is next due; an
 * attempt that finished its delivery (delivered, failed, dead) also makes the next delivery of its queue
 * due, or reserves it for the caller. The next one is taken only if it waits at 'infinity' and no one
 * else holds its row (SKIP LOCKED: a head locked meanwhile is being promoted, and waiting for it could
 * deadlock with a promotion of several queues), so a concurrent promotion and this never both start it.
 */
export async function recordAttempts(
  sql: Sql,
  attempts: readonly AttemptToRecord[],
  leaseMs: number,
): Promise<RecordedAttempt[]> {
  if (attempts.length === 0) return [];
  const col = <T>(f: (a: AttemptToRecord) => T) => sql.array(attempts.map(f) as never[]);
  const rows = await sql<(ClaimedRow & { finished_id: string })[]>`
    WITH input AS MATERIALIZED (
      SELECT * FROM unnest(
        ${col((a) => a.deliveryId)}::bigint[], ${col((a) => a.attempt)}::int[],
        ${col((a) => a.startedAt.toISOString())}::timestamptz[], ${col((a) => a.latencyMs)}::int[],
        ${col((a) => a.statusCode ?? null)}::int[], ${col((a) => a.error ?? null)}::text[],
        ${col((a) => a.outcome)}::text[], ${col((a) => (a.nextAttemptAt ?? new Date()).toISOString())}::timestamptz[],
        ${col((a) => a.take)}::bool[])
        AS i(delivery_id, attempt, started_at, latency_ms, status_code, error, outcome, next_at, take)
    ), finished AS (
      UPDATE dispatch.deliveries d
      SET status = CASE WHEN i.outcome = 'retry' THEN 'pending' ELSE i.outcome END,
          attempt_count = greatest(d.attempt_count, i.attempt),
          next_attempt_at = CASE WHEN i.outcome = 'retry' THEN i.next_at ELSE 'infinity' END,
          updated_at = now(),
          finished_at = CASE WHEN i.outcome = 'retry' THEN NULL ELSE now() END,
          last_status_code = i.status_code, last_error = i.error
      FROM input i
      WHERE d.id = i.delivery_id
      RETURNING d.id, d.webhook_id, d.ordering_key, i.outcome, i.take
    ), attempt AS (
      -- Only attempts of deliveries that exist: one another recorder wrote first under its own id (two
      -- leaders for a moment) is not there, and no foreign key would refuse its attempt.
      INSERT INTO dispatch.attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, outcome)
      SELECT delivery_id, attempt, started_at, latency_ms, status_code, error, outcome FROM input
      WHERE delivery_id IN (SELECT id FROM finished)
      ON CONFLICT (delivery_id, attempt) DO NOTHING
    ), heads AS MATERIALIZED (
      SELECT f.id AS finished_id, f.take, head.id
      FROM finished f
      CROSS JOIN LATERAL (
        SELECT h.id FROM dispatch.deliveries h
        WHERE h.webhook_id = f.webhook_id AND h.ordering_key = f.ordering_key AND h.status = 'pending'
          AND h.id <> f.id
        ORDER BY h.position_commit, h.position_prepare
        LIMIT 1
      ) head
      WHERE f.outcome <> 'retry'
    ), free AS (
      -- Row by row from the heads (a join could be planned as a walk over every waiting row).
      SELECT d.id, heads.finished_id, heads.take
      FROM heads
      CROSS JOIN LATERAL (
        SELECT f.id FROM dispatch.deliveries f
        WHERE f.id = heads.id AND f.status = 'pending' AND f.next_attempt_at = 'infinity'
        FOR UPDATE SKIP LOCKED
      ) d
    ), taken AS (
      UPDATE dispatch.deliveries d
      SET next_attempt_at = CASE WHEN free.take
            THEN now() + ${leaseMs}::float8 * interval '1 millisecond' ELSE now() END,
          updated_at = now()
      FROM free
      WHERE d.id = free.id
      RETURNING d.*, free.finished_id
    )
    SELECT ${claimedColumns(sql)}, d.finished_id
    FROM taken d
    JOIN dispatch.events e ON e.id = d.event_id
    JOIN dispatch.webhooks w ON w.id = d.webhook_id`;
  const byFinished = new Map(rows.map((r) => [String(r.finished_id), r]));
  return attempts.map((a) => {
    if (a.outcome === 'retry') return { next: undefined, moved: true };
    const row = byFinished.get(a.deliveryId);
    return { next: a.take && row ? claimed(row) : undefined, moved: row !== undefined };
  });
}

/** Finishes a delivery without an attempt (its webhook was removed). */
export async function failWithoutAttempt(sql: Sql, deliveryId: string, reason: string): Promise<void> {
  await sql`
    UPDATE dispatch.deliveries
    SET status = 'failed', next_attempt_at = 'infinity', updated_at = now(), finished_at = now(),
        last_error = ${reason}
    WHERE id = ${deliveryId}`;
}

/**
 * Milliseconds until the next delivery is due, leaving out webhooks at their limit here (undefined when
 * nothing is waiting for a time), and which of those webhooks have deliveries due now (a worker of
 * theirs that ends makes room for them).
 */
export async function nextDue(
  sql: Sql,
  saturated: readonly string[],
): Promise<{ ms: number | undefined; waitingForRoom: string[] }> {
  const [row] = await sql<{ ms: number | null; waiting: string[] }[]>`
    SELECT
      (SELECT (extract(epoch FROM min(next_attempt_at) - now()) * 1000)::float8
       FROM dispatch.deliveries
       WHERE status = 'pending' AND next_attempt_at < 'infinity'
         AND webhook_id <> ALL(${sql.array([...saturated])}::uuid[])) AS ms,
      ARRAY(
        SELECT DISTINCT webhook_id::text FROM dispatch.deliveries
        WHERE status = 'pending' AND next_attempt_at < 'infinity' AND next_attempt_at <= now()
          AND webhook_id = ANY(${sql.array([...saturated])}::uuid[])) AS waiting`;
  return { ms: row?.ms ?? undefined, waitingForRoom: row?.waiting ?? [] };
}
