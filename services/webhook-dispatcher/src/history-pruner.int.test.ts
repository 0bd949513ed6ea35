import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneHistory } from './history-pruner.js';
import { migrateDispatch } from './schema.js';

type Status = 'pending' | 'delivered' | 'failed' | 'dead';

describe('pruneHistory (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    await migrateDispatch(sql);
  });
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  /** An event with one delivery of `status`, finished (or recorded) `daysAgo`, and two attempts. */
  const delivery = async (status: Status, daysAgo: number) => {
    const eventId = randomUUID();
    const at = sql`now() - ${daysAgo}::float8 * interval '1 day'`;
    await sql`
      INSERT INTO dispatch.events
        (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at, recorded_at)
      VALUES (${eventId}, ${randomUUID()}, 'message.new', 'MessagePosted', 'conversation-1', 1, 1, '{}', ${at}, ${at})`;
    const finished = status === 'delivered' || status === 'failed' || status === 'dead';
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO dispatch.deliveries
        (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare, status,
         attempt_count, deadline_at, created_at, finished_at)
      VALUES (${randomUUID()}, ${randomUUID()}, ${eventId}, 'conversation-1', 1, 1, ${status}, 2,
              now() + interval '1 day', ${at}, ${finished ? at : null})
      RETURNING id`;
    await sql`
      INSERT INTO dispatch.attempts (delivery_id, attempt, started_at, latency_ms, status_code, outcome)
      VALUES (${row!.id}, 1, ${at}, 5, 503, 'retry'), (${row!.id}, 2, ${at}, 5, 200, 'delivered')`;
    return { eventId, id: row!.id };
  };

  const ids = async () =>
    (await sql<{ id: string }[]>`SELECT id FROM dispatch.deliveries ORDER BY id`).map((r) => r.id);
  const attemptsOf = async () =>
    (await sql<{ id: string }[]>`SELECT DISTINCT delivery_id AS id FROM dispatch.attempts ORDER BY 1`).map(
      (r) => r.id,
    );
  const events = async () => (await sql<{ id: string }[]>`SELECT id FROM dispatch.events`).map((r) => r.id);

  it('given old and recent deliveries, when pruned, then old finished ones go with their attempts and events, and the rest stay', async () => {
    await delivery('delivered', 40);
    await delivery('failed', 40);
    const oldDead = await delivery('dead', 40);
    const oldPending = await delivery('pending', 40);
    const recent = await delivery('delivered', 1);

    expect(await pruneHistory(sql, 30, 1)).toBe(2);

    const kept = [oldDead.id, oldPending.id, recent.id].sort();
    expect(await ids()).toEqual(kept);
    expect(await attemptsOf()).toEqual(kept);
    expect((await events()).sort()).toEqual([oldDead.eventId, oldPending.eventId, recent.eventId].sort());
  });

  it('given a retention of 0 days, when pruned, then nothing is deleted', async () => {
    await delivery('delivered', 400);
    expect(await pruneHistory(sql, 0)).toBe(0);
    expect(await ids()).toHaveLength(1);
    expect(await attemptsOf()).toHaveLength(1);
  });
});
