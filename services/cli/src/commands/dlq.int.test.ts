import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import { migrateDispatch } from '@switchboard/webhook-dispatcher';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { buildProgram } from '../program.js';

describe('switchboard dlq', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const clientId = randomUUID();
  const webhookA = randomUUID();
  const webhookB = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    await migrateDispatch(sql);
    for (const [id, url] of [
      [webhookA, 'http://a.example/hook'],
      [webhookB, 'http://b.example/hook'],
    ] as const) {
      await sql`INSERT INTO dispatch.webhooks (id, client_id, url, token_sealed) VALUES (${id}, ${clientId}, ${url}, 'v1.x.y.z')`;
    }
  });
  beforeEach(async () => {
    await sql`TRUNCATE dispatch.deliveries, dispatch.events, dispatch.attempts`;
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  /** A dead delivery of a new event, recorded at `at`, in queue `key` of `webhook`. */
  let position = 0;
  const deadLetter = async (webhookId: string, at: string, key = 'conversation-1') => {
    const eventId = randomUUID();
    position++;
    await sql`
      INSERT INTO dispatch.events (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at)
      VALUES (${eventId}, ${clientId}, 'message.new', 'MessagePosted', ${key}, ${position}, ${position}, '{}', ${at})`;
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO dispatch.deliveries (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare,
        status, attempt_count, deadline_at, created_at, finished_at, last_status_code, last_error)
      VALUES (${webhookId}, ${clientId}, ${eventId}, ${key}, ${position}, ${position}, 'dead', 3, ${at}, ${at}, now(), 503, 'HTTP 503')
      RETURNING id`;
    await sql`INSERT INTO dispatch.attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, outcome)
      VALUES (${row!.id}, 3, ${at}, 12, 503, 'HTTP 503', 'dead')`;
    return String(row!.id);
  };

  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
      color: false,
      signal: new AbortController().signal,
    };
    let error: unknown;
    try {
      await buildProgram(io).parseAsync(['--database-url', db.url, ...args], { from: 'user' });
    } catch (e) {
      error = e;
    }
    return { out: out.join('\n'), err: err.join('\n'), error };
  };
  const statusOf = async (id: string) =>
    (
      await sql<{ status: string; finite: boolean }[]>`
      SELECT status, next_attempt_at < 'infinity' AS finite FROM dispatch.deliveries WHERE id = ${id}`
    )[0];

  it('lists dead letters, filtered by webhook and time', async () => {
    const a1 = await deadLetter(webhookA, '2026-01-01T10:00:00Z');
    const a2 = await deadLetter(webhookA, '2026-01-01T12:00:00Z', 'conversation-2');
    const b1 = await deadLetter(webhookB, '2026-01-01T11:00:00Z');
    const all = JSON.parse((await run('dlq', 'list', '--json')).out) as { id: string }[];
    expect(all.map((d) => d.id)).toEqual([b1, a2, a1]);
    const ofA = JSON.parse((await run('dlq', 'list', '--webhook', webhookA, '--json')).out) as {
      id: string;
    }[];
    expect(ofA.map((d) => d.id)).toEqual([a2, a1]);
    const range = JSON.parse(
      (
        await run(
          'dlq',
          'list',
          '--since',
          '2026-01-01T10:30:00Z',
          '--until',
          '2026-01-01T11:30:00Z',
          '--json',
        )
      ).out,
    ) as { id: string }[];
    expect(range.map((d) => d.id)).toEqual([b1]);
    const text = (await run('dlq', 'list')).out;
    expect(text.split('\n')[0]).toMatch(/^ID\s+STATUS\s+ATTEMPTS/);
    expect(text).toContain('http://a.example/hook');
  });

  it('shows one delivery with its attempts', async () => {
    const id = await deadLetter(webhookA, '2026-01-01T10:00:00Z');
    const { out } = await run('dlq', 'show', id);
    expect(out).toContain(`delivery ${id}: dead after 3 attempt(s)`);
    expect(out).toMatch(/#3 2026-01-01T10:00:00.000Z dead 503 12 ms HTTP 503/);
    expect((await run('dlq', 'show', '999999')).error).toMatchObject({ message: 'no delivery 999999' });
  });

  it('re-drives one delivery, a time range, or all of a webhook’s, making each queue head due', async () => {
    const a1 = await deadLetter(webhookA, '2026-01-01T10:00:00Z');
    const a2 = await deadLetter(webhookA, '2026-01-01T12:00:00Z');
    const a3 = await deadLetter(webhookA, '2026-01-01T13:00:00Z', 'conversation-3');
    const b1 = await deadLetter(webhookB, '2026-01-01T11:00:00Z');
    const b2 = await deadLetter(webhookB, '2026-01-01T14:00:00Z');

    const one = await run('dlq', 'redrive', b1);
    expect(one.error).toBeUndefined();
    expect(one.out).toBe(`re-driven: 1 (${b1})`);
    expect(await statusOf(b1)).toEqual({ status: 'pending', finite: true });
    expect(await statusOf(b2)).toEqual({ status: 'dead', finite: false });

    expect((await run('dlq', 'redrive', '--since', '2026-01-01T13:30:00Z')).out).toBe(`re-driven: 1 (${b2})`);
    // b2 waits behind b1, still pending in the same queue.
    expect(await statusOf(b2)).toEqual({ status: 'pending', finite: false });

    const { out } = await run('dlq', 'redrive', '--webhook', webhookA);
    expect(out).toMatch(/^re-driven: 3 /);
    // One due head per queue: a1 heads conversation-1 (a2 waits behind it), a3 heads conversation-3.
    expect(await statusOf(a1)).toEqual({ status: 'pending', finite: true });
    expect(await statusOf(a2)).toEqual({ status: 'pending', finite: false });
    expect(await statusOf(a3)).toEqual({ status: 'pending', finite: true });
    const [window] = await sql<{ ok: boolean }[]>`
      SELECT deadline_at > now() + interval '23 hours' AS ok FROM dispatch.deliveries WHERE id = ${a1}`;
    expect(window?.ok).toBe(true);
  });

  it('refuses to re-drive without a selection', async () => {
    await deadLetter(webhookA, '2026-01-01T10:00:00Z');
    const { error } = await run('dlq', 'redrive');
    expect(error).toMatchObject({ name: 'UsageError', message: expect.stringMatching(/nothing selected/) });
    expect((await run('dlq', 'redrive', '--all')).out).toMatch(/^re-driven: 1 /);
  });
});
