import type postgres from 'postgres';

/** Channel of the wake-up sent when deliveries become due (recorded, re-driven). */
export const DUE_CHANNEL = 'webhook_dispatch_due';

/**
 * The dispatcher's own tables, in schema `dispatch`. Not a read model: attempts are facts of the
 * dispatcher, not events (EVENTS.md), so they cannot be rebuilt from `$all`.
 *
 * - `recorder_checkpoints`: the last JetStream sequence of `EVENTS` recorded, advanced in the same
 *   transaction as what it recorded, so recording is in order and exactly once.
 * - `webhooks`: each client's webhooks as the recorded events say at that point of the log.
 * - `events`: the body of each event that is delivered to webhooks, rendered once.
 * - `deliveries`: one row per (webhook, event); a queue per (webhook, ordering key) ordered by the
 *   event's position. Only the head of a queue has a finite `next_attempt_at`: the others wait at
 *   'infinity' until the head is finished, which is what keeps one conversation in order.
 * - `attempts`: every HTTP attempt of a delivery.
 */
export const dispatchDdl = /* sql */ `
CREATE SCHEMA IF NOT EXISTS dispatch;

CREATE TABLE IF NOT EXISTS dispatch.recorder_checkpoints (
  stream        text PRIMARY KEY,
  last_sequence bigint NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS dispatch.webhooks (
  id            uuid PRIMARY KEY,
  client_id     uuid NOT NULL,
  url           text NOT NULL,
  token_sealed  text NOT NULL,
  added_at      timestamptz NOT NULL DEFAULT now(),
  removed_at    timestamptz
);
CREATE INDEX IF NOT EXISTS webhooks_client ON dispatch.webhooks (client_id) WHERE removed_at IS NULL;

CREATE TABLE IF NOT EXISTS dispatch.events (
  id               uuid PRIMARY KEY,
  client_id        uuid NOT NULL,
  type             text NOT NULL,           -- the webhook event type: message.new, …
  source_type      text NOT NULL,           -- the stored event's type: MessagePosted, …
  stream_name      text NOT NULL,
  position_commit  bigint NOT NULL,
  position_prepare bigint NOT NULL,
  body             text NOT NULL,           -- the exact JSON posted (and signed)
  occurred_at      timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL DEFAULT now()
);
-- The W3C traceparent of the request that caused the event: each delivery attempt joins its trace.
ALTER TABLE dispatch.events ADD COLUMN IF NOT EXISTS traceparent text;

CREATE TABLE IF NOT EXISTS dispatch.deliveries (
  id               bigserial PRIMARY KEY,
  webhook_id       uuid NOT NULL,
  client_id        uuid NOT NULL,
  event_id         uuid NOT NULL,
  ordering_key     text NOT NULL,
  position_commit  bigint NOT NULL,
  position_prepare bigint NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT 'infinity',
  deadline_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  last_status_code integer,
  last_error       text,
  UNIQUE (event_id, webhook_id)
);
-- Only the heads of queues: the rows waiting behind them at 'infinity' stay out of it. When they were
-- in it, a lookup of heads "… AND next_attempt_at = 'infinity'" could be planned as a walk over every
-- waiting row of every queue (25 ms per statement for 10,000 waiting rows).
DROP INDEX IF EXISTS dispatch.deliveries_due;
CREATE INDEX IF NOT EXISTS deliveries_head_due ON dispatch.deliveries (next_attempt_at)
  WHERE status = 'pending' AND next_attempt_at < 'infinity';
CREATE INDEX IF NOT EXISTS deliveries_queue
  ON dispatch.deliveries (webhook_id, ordering_key, position_commit, position_prepare) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_client ON dispatch.deliveries (client_id, status, id DESC);
-- One delivery per webhook and event; event first, so the same index finds an event's deliveries (the
-- pruning of events needs that) and every update of a delivery maintains one
-- index less. Tables made with the earlier (webhook, event) order and its separate event index move
-- to this one here.
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_event_id_webhook_id_key ON dispatch.deliveries (event_id, webhook_id);
ALTER TABLE dispatch.deliveries DROP CONSTRAINT IF EXISTS deliveries_webhook_id_event_id_key;
DROP INDEX IF EXISTS dispatch.deliveries_event;
-- For re-driving a webhook's dead or failed deliveries. Partial: a delivery in progress is not in it,
-- so its two updates (taken, finished) cost one index entry less and a queue's head is never looked up
-- through it (it was, when the statistics were stale, and walked every pending row of the webhook).
DROP INDEX IF EXISTS dispatch.deliveries_webhook;
CREATE INDEX IF NOT EXISTS deliveries_webhook_finished ON dispatch.deliveries (webhook_id, status, created_at)
  WHERE status IN ('dead', 'failed');
CREATE INDEX IF NOT EXISTS deliveries_finished ON dispatch.deliveries (finished_at) WHERE status IN ('delivered', 'failed');

CREATE TABLE IF NOT EXISTS dispatch.attempts (
  delivery_id  bigint NOT NULL,
  attempt      integer NOT NULL,
  started_at   timestamptz NOT NULL,
  latency_ms   integer NOT NULL,
  status_code  integer,
  error        text,
  outcome      text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'dead')),
  PRIMARY KEY (delivery_id, attempt)
);
-- No foreign keys between these tables: each checked row took a lookup and a row lock on the row it
-- refers to (a WAL record each), a third of the time of inserting a delivery and its attempt (4.6 s
-- against 3.1 s for 100,000 of each, docs/performance.md). The dispatcher is the only writer: attempts
-- are inserted only for deliveries that exist (in the same statement), and the pruner deletes a
-- delivery's attempts with it. Tables made with the keys lose them here.
ALTER TABLE dispatch.attempts DROP CONSTRAINT IF EXISTS attempts_delivery_id_fkey;
ALTER TABLE dispatch.deliveries DROP CONSTRAINT IF EXISTS deliveries_event_id_fkey;
`;

/** Creates the dispatcher's tables if missing; safe to run from several processes at once. */
export async function migrateDispatch(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('switchboard:dispatch:migrate'))`;
    await tx.unsafe(dispatchDdl);
  });
}
