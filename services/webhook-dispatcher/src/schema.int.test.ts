import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDispatch } from './schema.js';

/** The deliveries table and indexes as the dispatcher made them before 2026-12-02. */
const earlierDeliveries = /* sql */ `
CREATE SCHEMA dispatch;
CREATE TABLE dispatch.events (
  id uuid PRIMARY KEY, client_id uuid NOT NULL, type text NOT NULL, source_type text NOT NULL,
  stream_name text NOT NULL, position_commit bigint NOT NULL, position_prepare bigint NOT NULL,
  body text NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE dispatch.deliveries (
  id bigserial PRIMARY KEY, webhook_id uuid NOT NULL, client_id uuid NOT NULL,
  event_id uuid NOT NULL REFERENCES dispatch.events (id), ordering_key text NOT NULL,
  position_commit bigint NOT NULL, position_prepare bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempt_count integer NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT 'infinity',
  deadline_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz, last_status_code integer,
  last_error text, UNIQUE (webhook_id, event_id));
CREATE INDEX deliveries_due ON dispatch.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_event ON dispatch.deliveries (event_id);
CREATE INDEX deliveries_webhook ON dispatch.deliveries (webhook_id, status, created_at);`;

const expectedIndexes = [
  'deliveries_client',
  'deliveries_event_id_webhook_id_key',
  'deliveries_finished',
  'deliveries_head_due',
  'deliveries_pkey',
  'deliveries_queue',
  'deliveries_webhook_finished',
];

describe('dispatch schema (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
  });
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  const indexes = async () =>
    (
      await sql<{ name: string }[]>`
        SELECT indexname AS name FROM pg_indexes
        WHERE schemaname = 'dispatch' AND tablename = 'deliveries' ORDER BY 1`
    ).map((r) => r.name);

  /** Foreign keys in schema `dispatch`: there are none (schema.ts says why). */
  const foreignKeys = async () =>
    (
      await sql<{ name: string }[]>`
        SELECT conname AS name FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'dispatch'::regnamespace ORDER BY 1`
    ).map((r) => r.name);

  const indexDefinition = async (name: string) =>
    (await sql<{ def: string }[]>`SELECT indexdef AS def FROM pg_indexes WHERE indexname = ${name}`)[0]?.def;

  /** Records one delivery the way the recorder does (its ON CONFLICT names the columns, not the index). */
  const record = async (eventId: string, webhookId: string) =>
    sql`
      INSERT INTO dispatch.deliveries
        (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare, deadline_at)
      VALUES (${webhookId}, ${randomUUID()}, ${eventId}, 'conversation-1', 1, 1, now() + interval '1 day')
      ON CONFLICT (webhook_id, event_id) DO NOTHING
      RETURNING id`;

  it('given a new database, when migrated twice, then it has the indexes of a queue of heads', async () => {
    await migrateDispatch(sql);
    await migrateDispatch(sql);
    expect(await indexes()).toEqual(expectedIndexes);
    expect(await foreignKeys()).toEqual([]);
    expect(await indexDefinition('deliveries_head_due')).toContain(
      "WHERE ((status = 'pending'::text) AND (next_attempt_at < 'infinity'::timestamp with time zone))",
    );
    expect(await indexDefinition('deliveries_event_id_webhook_id_key')).toContain('(event_id, webhook_id)');
  });

  it('given the earlier indexes with deliveries in them, when migrated, then they move to the new ones and nothing is lost', async () => {
    await sql.unsafe(earlierDeliveries);
    const eventId = randomUUID();
    const webhookId = randomUUID();
    await sql`
      INSERT INTO dispatch.events (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at)
      VALUES (${eventId}, ${randomUUID()}, 'message.new', 'MessagePosted', 'conversation-1', 1, 1, '{}', now())`;
    expect(await record(eventId, webhookId)).toHaveLength(1);

    expect(await foreignKeys()).toEqual(['deliveries_event_id_fkey']);

    await migrateDispatch(sql);

    expect(await indexes()).toEqual(expectedIndexes);
    expect(await foreignKeys()).toEqual([]);
    const constraints = await sql<{ name: string }[]>`
      SELECT conname AS name FROM pg_constraint WHERE conrelid = 'dispatch.deliveries'::regclass ORDER BY 1`;
    expect(constraints.map((c) => c.name)).not.toContain('deliveries_webhook_id_event_id_key');
    expect(await sql`SELECT id FROM dispatch.deliveries`).toHaveLength(1);
    // Still one delivery per webhook and event, and the recorder's ON CONFLICT still finds its index.
    expect(await record(eventId, webhookId)).toHaveLength(0);
    expect(await record(eventId, randomUUID())).toHaveLength(1);
  });
});
