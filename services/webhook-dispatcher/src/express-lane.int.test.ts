import { describe, expect, it } from 'vitest';
import { eventually } from './test-support.js';
import { dispatcherTestbed, messagesOf } from './testbed.js';

describe('webhook express lane (in-process, real NATS and PostgreSQL)', () => {
  const bed = dispatcherTestbed();
  const { start, receiver, newConversation, post } = bed;
  const newClient = async (url: string) => (await bed.newClient([url])).clientId;
  const checkpoint = async () => {
    const [row] = await bed.sql<
      { last_sequence: string }[]
    >`SELECT last_sequence FROM dispatch.recorder_checkpoints`;
    return Number(row?.last_sequence ?? 0);
  };
  const streamLast = async () =>
    (await bed.bus.jsm.streams.info(bed.bus.names.streams.events)).state.last_seq;
  const rowsOf = (clientId: string) =>
    bed.sql<{ id: string; status: string; attempt_count: number; attempts: number; text: string | null }[]>`
      SELECT d.id::text, d.status, d.attempt_count,
             (SELECT count(*)::int FROM dispatch.attempts a WHERE a.delivery_id = d.id) AS attempts,
             e.body::jsonb #>> '{data,message,payload,text}' AS text
      FROM dispatch.deliveries d JOIN dispatch.events e ON e.id = d.event_id
      WHERE d.client_id = ${clientId}
      ORDER BY d.position_commit, d.position_prepare`;

  /** Waits until the client's set-up deliveries are finished: a queue leaves the database when empty. */
  const settled = (clientId: string, count: number) =>
    eventually('the set-up delivered', async () => {
      const rows = await rowsOf(clientId);
      return rows.length === count && rows.every((x) => x.status === 'delivered') ? true : undefined;
    });
  it('sends fresh deliveries from memory and writes each once, finished, with its one attempt', async () => {
    const r = await receiver();
    const clientId = await newClient(r.url);
    const d = await start();
    const c = await newConversation(clientId);
    await settled(clientId, 2);
    const before = d.stats().fromMemory;
    for (let i = 0; i < 20; i++) await post(clientId, c, `m${i}`);
    await eventually('20 messages', () => (messagesOf(r).length === 20 ? true : undefined));
    expect(messagesOf(r)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));

    const last = await streamLast();
    await eventually('the checkpoint at the end of the log', async () =>
      (await checkpoint()) === last ? true : undefined,
    );
    const rows = await rowsOf(clientId);
    // user.new, conversation.started and the 20 messages: each one row, delivered at the first attempt.
    expect(rows).toHaveLength(22);
    expect(rows.every((x) => x.status === 'delivered' && x.attempt_count === 1 && x.attempts === 1)).toBe(
      true,
    );
    // The id each request carried is its row's.
    expect(new Set(r.requests.map((q) => q.headers['x-switchboard-delivery-id']))).toEqual(
      new Set(rows.map((x) => x.id)),
    );
    expect(d.stats().fromMemory - before).toBe(20);
  });

  it('moves a queue to the database at its first retry, and the conversation stays in order', async () => {
    let failedOnce = false;
    const r = await receiver((q) => {
      const text = (q.body.data.message as { payload?: { text?: string } } | undefined)?.payload?.text;
      if (text === 'r3' && !failedOnce) {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200 };
    });
    const clientId = await newClient(r.url);
    const d = await start();
    const c = await newConversation(clientId);
    await settled(clientId, 2);
    const before = d.stats().fromMemory;
    for (let i = 0; i < 10; i++) await post(clientId, c, `r${i}`);
    await eventually('every message delivered', () =>
      new Set(messagesOf(r)).size === 10 ? true : undefined,
    );
    expect(messagesOf(r)).toEqual(['r0', 'r1', 'r2', 'r3', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
    const rows = await eventually('every row delivered', async () => {
      const found = await rowsOf(clientId);
      return found.length === 12 && found.every((x) => x.status === 'delivered') ? found : undefined;
    });
    expect(rows.find((x) => x.text === 'r3')).toMatchObject({ attempt_count: 2, attempts: 2 });
    expect(d.stats().retried).toBe(1);
    // r0..r2 went from memory; r3's retry took its queue to the database, with what was behind it.
    expect(d.stats().fromMemory - before).toBeGreaterThanOrEqual(3);
    expect(d.stats().fromMemory - before).toBeLessThan(10);
  });

  it('moves the queues of a webhook too slow for memory to the database, so the log goes on', async () => {
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    const slowClient = await newClient(slow.url);
    const fastClient = await newClient(fast.url);
    await start({ WEBHOOK_EXPRESS_HOLD_MS: 200, WEBHOOK_TIMEOUT_MS: 5_000 });
    const stuck = await newConversation(slowClient);
    for (let i = 0; i < 5; i++) await post(slowClient, stuck, `s${i}`);
    const c = await newConversation(fastClient);
    for (let i = 0; i < 5; i++) await post(fastClient, c, `f${i}`);
    await eventually('the fast webhook', () => (messagesOf(fast).length === 5 ? true : undefined));
    // The slow client's deliveries are rows now, waiting behind the one in flight, and the checkpoint
    // (so the log's acknowledgements) went past them.
    // Well before the attempt in flight times out (5 s): the hold (200 ms) moved them.
    const rows = await eventually(
      'the slow queue in the database',
      async () => {
        const found = await rowsOf(slowClient);
        return found.length === 7 ? found : undefined;
      },
      2_000,
    );
    expect(rows.every((x) => x.status === 'pending' && x.attempts === 0)).toBe(true);
    const last = await streamLast();
    await eventually(
      'the checkpoint past the slow webhook',
      async () => ((await checkpoint()) === last ? true : undefined),
      2_000,
    );
    expect(slow.hanging).toBeGreaterThanOrEqual(1);
  });

  it('reads the log again from the checkpoint after a crash, and sends nothing already written', async () => {
    const r = await receiver();
    const clientId = await newClient(r.url);
    const first = await start();
    const c = await newConversation(clientId);
    for (let i = 0; i < 5; i++) await post(clientId, c, `c${i}`);
    const last = await streamLast();
    await eventually('the checkpoint at the end', async () =>
      (await checkpoint()) === last ? true : undefined,
    );
    await bed.stop(first);
    // As if the process died after writing its deliveries and before the checkpoint went past them.
    await bed.sql`UPDATE dispatch.recorder_checkpoints SET last_sequence = 2`;

    await start();
    await post(clientId, c, 'after');
    await eventually('the message after the crash', () =>
      messagesOf(r).includes('after') ? true : undefined,
    );
    await eventually('the checkpoint at the end again', async () =>
      (await checkpoint()) === last + 1 ? true : undefined,
    );
    expect(messagesOf(r)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'after']);
    expect(r.requests).toHaveLength(8);
  });
});
