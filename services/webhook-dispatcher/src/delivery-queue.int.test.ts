import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, promoteHeads, recordAttempts, repairStalledQueues } from './delivery-queue.js';
import { migrateDispatch } from './schema.js';

describe('delivery queues (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const clientId = randomUUID();
  const webhookA = randomUUID();
  const webhookB = randomUUID();
  let position = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 3, onnotice: () => {} });
    await migrateDispatch(sql);
    for (const id of [webhookA, webhookB]) {
      await sql`INSERT INTO dispatch.webhooks (id, client_id, url, token_sealed) VALUES (${id}, ${clientId}, 'http://x/', 'v1.a.b.c')`;
    }
  });
  beforeEach(async () => {
    await sql`TRUNCATE dispatch.deliveries, dispatch.events, dispatch.attempts`;
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  /** Adds a pending delivery at the end of a queue; `due` makes it due (a head), else it waits. */
  const add = async (webhookId: string, key: string, due: Date | 'infinity' = 'infinity') => {
    const eventId = randomUUID();
    position++;
    await sql`
      INSERT INTO dispatch.events (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at)
      VALUES (${eventId}, ${clientId}, 'message.new', 'MessagePosted', ${key}, ${position}, ${position}, '{}', now())`;
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO dispatch.deliveries (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare,
        next_attempt_at, deadline_at)
      VALUES (${webhookId}, ${clientId}, ${eventId}, ${key}, ${position}, ${position},
        ${due === 'infinity' ? sql`'infinity'::timestamptz` : sql`${due}::timestamptz`}, now() + interval '1 day')
      RETURNING id`;
    return String(row!.id);
  };
  const due = async (id: string) =>
    (
      await sql<
        { finite: boolean }[]
      >`SELECT next_attempt_at < 'infinity' AS finite FROM dispatch.deliveries WHERE id = ${id}`
    )[0]?.finite;
  const past = new Date(Date.now() - 60_000);
  const claim = (busy = new Map<string, number>(), limit = 10, perWebhook = 2) =>
    claimDue(sql, { limit, leaseMs: 30_000, perWebhook, busy });

  it('promotes only a waiting head, never a later row nor a head in flight', async () => {
    const [a1, a2] = [await add(webhookA, 'c1'), await add(webhookA, 'c1')];
    const b1 = await add(webhookA, 'c2', past);
    const b2 = await add(webhookA, 'c2');
    expect(
      await promoteHeads(sql, [
        { webhookId: webhookA, orderingKey: 'c1' },
        { webhookId: webhookA, orderingKey: 'c2' },
      ]),
    ).toBe(1);
    expect([await due(a1), await due(a2), await due(b1), await due(b2)]).toEqual([true, false, true, false]);
  });

  it('repairs a queue left with nothing due', async () => {
    const stalled = [await add(webhookA, 'c1'), await add(webhookA, 'c1')];
    const moving = [await add(webhookB, 'c1', past), await add(webhookB, 'c1')];
    expect(await repairStalledQueues(sql)).toBe(1);
    expect(await Promise.all([...stalled, ...moving].map(due))).toEqual([true, false, true, false]);
  });

  it('claims the oldest due first, at most the room each webhook has, and skips webhooks at their limit', async () => {
    const older = new Date(Date.now() - 120_000);
    const a = [
      await add(webhookA, 'c1', older),
      await add(webhookA, 'c2', older),
      await add(webhookA, 'c3', older),
    ];
    const b = [await add(webhookB, 'c1', past)];
    const first = await claim(new Map([[webhookA, 1]]));
    // webhook A has one attempt in flight already: one more of its three, then B's.
    expect(first.map((d) => d.id)).toEqual([a[0], b[0]]);
    expect(first[0]).toMatchObject({ webhookId: webhookA, attemptCount: 0, url: 'http://x/', body: '{}' });
    // Reserved: not due again until the lease ends.
    expect((await claim(new Map([[webhookA, 2]]))).map((d) => d.id)).toEqual([]);
    expect((await claim(new Map([[webhookA, 1]]))).map((d) => d.id)).toEqual([a[1]]);
  });

  const record = (id: string, key: string, take: boolean, outcome: 'delivered' | 'failed' = 'delivered') => ({
    deliveryId: id,
    attempt: 1,
    startedAt: new Date(),
    latencyMs: 3,
    statusCode: outcome === 'delivered' ? 200 : 400,
    outcome,
    key: { webhookId: webhookA, orderingKey: key },
    take,
  });

  it('finishes a delivery and takes the next of its queue in one statement', async () => {
    const [h, n1, n2] = [
      await add(webhookA, 'c1', past),
      await add(webhookA, 'c1'),
      await add(webhookA, 'c1'),
    ];
    const [first] = await recordAttempts(sql, [record(h, 'c1', true)], 30_000);
    expect(first).toMatchObject({ moved: true, next: { id: n1 } });
    // Not due for others: reserved for this worker.
    expect((await claim()).map((d) => d.id)).toEqual([]);
    const [second] = await recordAttempts(sql, [record(n1, 'c1', false)], 30_000);
    expect(second).toEqual({ moved: true, next: undefined });
    expect((await claim()).map((d) => d.id)).toEqual([n2]);
    expect(await recordAttempts(sql, [record(n2, 'c1', true)], 30_000)).toEqual([
      { moved: false, next: undefined },
    ]);
    const rows =
      await sql`SELECT status, attempt_count, finished_at IS NOT NULL AS finished FROM dispatch.deliveries ORDER BY id`;
    expect(rows).toEqual([
      { status: 'delivered', attempt_count: 1, finished: true },
      { status: 'delivered', attempt_count: 1, finished: true },
      { status: 'delivered', attempt_count: 1, finished: true },
    ]);
    expect((await sql`SELECT count(*)::int AS n FROM dispatch.attempts`)[0]?.n).toBe(3);
  });

  it('records the attempts of several queues in one statement, each going on in its own queue', async () => {
    const c1 = [await add(webhookA, 'c1', past), await add(webhookA, 'c1')];
    const c2 = [await add(webhookA, 'c2', past), await add(webhookA, 'c2')];
    const c3 = [await add(webhookA, 'c3', past), await add(webhookA, 'c3')];
    const c4 = [await add(webhookA, 'c4', past)];
    const retryAt = new Date(Date.now() + 60_000);
    const results = await recordAttempts(
      sql,
      [
        record(c1[0]!, 'c1', true),
        record(c2[0]!, 'c2', false, 'failed'),
        { ...record(c3[0]!, 'c3', false), outcome: 'retry', statusCode: 503, nextAttemptAt: retryAt },
        record(c4[0]!, 'c4', true),
      ],
      30_000,
    );
    expect(results[0]).toMatchObject({ moved: true, next: { id: c1[1], orderingKey: 'c1' } });
    // Made due, not taken: the next claim gets it.
    expect(results[1]).toEqual({ moved: true, next: undefined });
    // A retry stays the head of its queue; the one behind it waits.
    expect(results[2]).toEqual({ moved: true, next: undefined });
    // Nothing behind it: the caller promotes the queue later.
    expect(results[3]).toEqual({ moved: false, next: undefined });
    expect((await claim()).map((d) => d.id)).toEqual([c2[1]]);
    const state = await sql<{ id: string; status: string; finite: boolean }[]>`
      SELECT id::text, status, next_attempt_at < 'infinity' AS finite FROM dispatch.deliveries ORDER BY id`;
    expect(state.map((r) => [r.status, r.finite])).toEqual([
      ['delivered', false],
      ['pending', true],
      ['failed', false],
      ['pending', true],
      ['pending', true],
      ['pending', false],
      ['delivered', false],
    ]);
    const [retried] = await sql<{ next: Date; code: number }[]>`
      SELECT next_attempt_at AS next, last_status_code AS code FROM dispatch.deliveries WHERE id = ${c3[0]!}`;
    expect(retried?.code).toBe(503);
    expect(Math.abs(retried!.next.getTime() - retryAt.getTime())).toBeLessThan(1_000);
    expect((await sql`SELECT count(*)::int AS n FROM dispatch.attempts`)[0]?.n).toBe(4);
  });
});
