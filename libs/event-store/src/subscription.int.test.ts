import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore } from './event-store.js';
import { lockClass, notifierLockKey } from './migrations.js';
import { comparePositions } from './position.js';
import { collect, eventually, openTestStore, type TestStore } from './test-store.js';
import type { AllSubscription, EventData, Position, RecordedEvent } from './types.js';

const ev = (type: string, data: unknown = {}): EventData => ({ type, data });

const expectInAllOrder = (events: RecordedEvent[]) => {
  for (let i = 1; i < events.length; i++) {
    expect(comparePositions(events[i - 1]!.position, events[i]!.position)).toBe(-1);
  }
};

/** Transactions a test left open (it failed half-way): rolled back so the pool can end. */
const openTransactions = new Set<() => Promise<void>>();

/** A connection of its own with a transaction left open, and a store that appends inside it. */
async function openTransaction(sql: postgres.Sql) {
  const conn = await sql.reserve();
  await conn`BEGIN`;
  const end = async (how: 'COMMIT' | 'ROLLBACK') => {
    openTransactions.delete(rollback);
    await conn.unsafe(how);
    conn.release();
  };
  const rollback = () => end('ROLLBACK');
  openTransactions.add(rollback);
  return { store: createEventStore({ sql: conn, upcasters: [] }), commit: () => end('COMMIT') };
}

describe('subscribing to $all', () => {
  let t: TestStore;
  const open: AllSubscription[] = [];
  /** Now, as a position: unlike 'end' (resolved when iteration starts), it cannot race the test's appends. */
  const now = async () => (await t.store.headPosition()) ?? ('start' as const);
  const subscribe = (...args: Parameters<TestStore['store']['subscribeToAll']>) => {
    const sub = t.store.subscribeToAll(...args);
    open.push(sub);
    return sub;
  };

  beforeAll(async () => {
    t = await openTestStore({ max: 24 });
  });
  afterEach(async () => {
    await Promise.all([...openTransactions].map((rollback) => rollback()));
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await t.close();
  });

  it('delivers a slow transaction that began first and commits last, which a global_position tail skips', async () => {
    const tag = `slow${randomUUID().slice(0, 8)}`;
    const live = collect(subscribe({ fromPosition: await now(), filter: { streamCategories: [tag] } }));

    // `fast` takes its transaction id first; `slow` then inserts its event first (lower global position)
    const fast = await openTransaction(t.sql);
    await fast.store.appendToStream(`${tag}-fast-setup`, [ev('Setup')]);
    const slow = await openTransaction(t.sql);
    const slowAppend = await slow.store.appendToStream(`${tag}-slow`, [ev('Slow')]);
    const fastAppend = await fast.store.appendToStream(`${tag}-fast`, [ev('Fast')]);
    await fast.commit();
    expect(slowAppend.position.prepare).toBeLessThan(fastAppend.position.prepare);

    // the fast transaction is delivered while the slow one is still open
    await eventually(() => live.events.some((e) => e.type === 'Fast'));
    expect(live.events.map((e) => e.type)).toEqual(['Setup', 'Fast']);

    // control: a naive tail over global_position has already passed the slow event's position
    const naive = await t.sql<{ gp: string }[]>`
      SELECT global_position::text AS gp FROM es.events WHERE category = ${tag} ORDER BY global_position`;
    const naiveCheckpoint = BigInt(naive[naive.length - 1]!.gp);
    expect(naiveCheckpoint).toBe(fastAppend.position.prepare);
    expect(naiveCheckpoint).toBeGreaterThan(slowAppend.position.prepare);

    await slow.commit();
    await eventually(() => live.events.some((e) => e.type === 'Slow'));
    expect(live.events.map((e) => e.type)).toEqual(['Setup', 'Fast', 'Slow']);
    expectInAllOrder(live.events);

    // …and the naive tail's next read, after its checkpoint, never sees the slow event
    const naiveNext = await t.sql`
      SELECT 1 FROM es.events WHERE category = ${tag} AND global_position > ${naiveCheckpoint.toString()}`;
    expect(naiveNext).toHaveLength(0);
  });

  it('holds back events committed after an older transaction that is still open, then delivers both', async () => {
    const tag = `held${randomUUID().slice(0, 8)}`;
    const live = collect(subscribe({ fromPosition: await now(), filter: { streamCategories: [tag] } }));
    const slow = await openTransaction(t.sql);
    const slowAppend = await slow.store.appendToStream(`${tag}-slow`, [ev('Slow')]);
    const fastAppend = await t.store.appendToStream(`${tag}-fast`, [ev('Fast')]);
    expect(fastAppend.position.prepare).toBeGreaterThan(slowAppend.position.prepare);

    // control: committed and visible to a plain query, so a global_position tail would take it now
    // and move its checkpoint past the slow event
    const naive = await t.sql`SELECT 1 FROM es.events WHERE category = ${tag}`;
    expect(naive).toHaveLength(1);
    // the store's readers do not see it while the older transaction is open
    expect((await t.store.readAll({ filter: { streamCategories: [tag] } })).map((e) => e.type)).toEqual([]);
    const head = await t.store.headPosition();
    expect(head && comparePositions(head, fastAppend.position)).toBe(-1);

    await slow.commit();
    await eventually(() => live.events.length === 2);
    expect(live.events.map((e) => e.type)).toEqual(['Slow', 'Fast']);
  });

  it('sees every event of 20 concurrent writers exactly once, in the order every read of $all gives', async () => {
    const tag = `load${randomUUID().slice(0, 8)}`;
    const sub = subscribe({ fromPosition: await now(), batchSize: 100, filter: { streamCategories: [tag] } });
    const live = collect(sub);
    const writers = 20;
    const perWriter = 500;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const revisions = new Map<string, bigint>();
        let written = 0;
        for (let i = 0; written < perWriter; i++) {
          const stream = `${tag}-w${w}s${i % 3}`;
          const size = Math.min(1 + (i % 4), perWriter - written);
          const events = Array.from({ length: size }, (_, k) => ev('Written', { w, n: written + k }));
          const expected = revisions.get(stream);
          const r = await t.store.appendToStream(stream, events, {
            expectedState: expected === undefined ? 'no_stream' : expected,
          });
          revisions.set(stream, r.nextExpectedRevision);
          written += size;
        }
      }),
    );
    const total = writers * perWriter;
    await eventually(() => live.events.length >= total, 20_000);
    await sub.close();
    await live.done;

    expect(live.events).toHaveLength(total);
    expect(new Set(live.events.map((e) => e.id)).size).toBe(total);
    for (let w = 0; w < writers; w++) {
      const mine = live.events
        .filter((e) => (e.data as { w: number }).w === w)
        .map((e) => (e.data as { n: number }).n);
      expect(mine).toEqual(Array.from({ length: perWriter }, (_, n) => n));
    }
    expectInAllOrder(live.events);

    // two independent reads of $all: one in a single call, one paged from checkpoints
    const whole = await t.store.readAll({ filter: { streamCategories: [tag] } });
    const paged: RecordedEvent[] = [];
    let from: Position | 'start' = 'start';
    for (;;) {
      const page = await t.store.readAll({
        fromPosition: from,
        maxCount: 777,
        filter: { streamCategories: [tag] },
      });
      if (page.length === 0) break;
      paged.push(...page);
      from = page[page.length - 1]!.position;
    }
    const ids = live.events.map((e) => e.id);
    expect(whole.map((e) => e.id)).toEqual(ids);
    expect(paged.map((e) => e.id)).toEqual(ids);
  });

  it('resumes after a stored checkpoint without repeating or missing an event', async () => {
    const tag = `resume${randomUUID().slice(0, 8)}`;
    const filter = { streamCategories: [tag] };
    await t.store.appendToStream(
      `${tag}-1`,
      ['A', 'B', 'C', 'D'].map((x) => ev(x)),
    );
    let checkpoint: Position | undefined;
    const first = subscribe({ filter, batchSize: 2 });
    for await (const e of first) {
      checkpoint = e.position;
      if (e.type === 'B') break;
    }
    await t.store.appendToStream(
      `${tag}-2`,
      ['E', 'F'].map((x) => ev(x)),
    );
    const second = subscribe({ fromPosition: checkpoint!, filter });
    const seen: string[] = [];
    for await (const e of second) {
      seen.push(e.type);
      if (e.type === 'F') break;
    }
    expect(seen).toEqual(['C', 'D', 'E', 'F']);
  });

  it('iterates in batches, and a selective filter still reaches events far behind non-matching ones', async () => {
    const tag = `sparse${randomUUID().slice(0, 8)}`;
    await t.store.appendToStream(
      `${tag}noise-1`,
      Array.from({ length: 300 }, () => ev('Noise')),
    );
    await t.store.appendToStream(`${tag}-1`, [ev('Wanted'), ev('Wanted')]);
    const sub = subscribe({ batchSize: 25, filter: { streamCategories: [tag] } });
    const batches: RecordedEvent[][] = [];
    for await (const batch of sub.batches()) {
      batches.push(batch);
      if (batches.flat().length === 2) break;
    }
    expect(batches.flat().map((e) => e.type)).toEqual(['Wanted', 'Wanted']);
    expect(batches.every((b) => b.length > 0)).toBe(true);
  });

  it('keeps delivering when no notification arrives, by polling', async () => {
    const tag = `quiet${randomUUID().slice(0, 8)}`;
    const live = collect(subscribe({ fromPosition: await now(), filter: { streamCategories: [tag] } }));
    // while another session holds the notifier lock, appends send no NOTIFY at all
    const holder = await t.sql.reserve();
    try {
      await holder`SELECT pg_advisory_lock(${lockClass}, ${notifierLockKey})`;
      const [row] = await t.sql<{ notified: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${lockClass}, ${notifierLockKey}) AS notified`;
      expect(row?.notified).toBe(false);
      await t.store.appendToStream(`${tag}-1`, [ev('Unannounced')]);
      await eventually(() => live.events.length === 1, 5_000);
    } finally {
      await holder`SELECT pg_advisory_unlock(${lockClass}, ${notifierLockKey})`;
      holder.release();
    }
  });

  it('sends a NOTIFY from the append', async () => {
    const received: string[] = [];
    const listener = await t.sql.listen('es_events', (payload) => received.push(payload));
    try {
      await t.store.appendToStream(`notify-${randomUUID()}`, [ev('Announced')]);
      await eventually(() => received.length > 0, 5_000);
    } finally {
      await listener.unlisten();
    }
  });

  it('a sleeping subscriber is woken long before its poll interval', async () => {
    const tag = `woken${randomUUID().slice(0, 8)}`;
    const store = createEventStore({ sql: t.sql, upcasters: [], pollIntervalMs: 60_000 });
    try {
      const live = collect(
        store.subscribeToAll({ fromPosition: 'start', filter: { streamCategories: [tag] } }),
      );
      await t.store.appendToStream(`${tag}-1`, [ev('First')]);
      await eventually(() => live.events.length === 1, 10_000);
      // caught up and asleep: the next event must arrive without waiting a minute
      await t.store.appendToStream(`${tag}-1`, [ev('Second')]);
      await eventually(() => live.events.length === 2, 10_000);
    } finally {
      await store.close();
    }
  });

  it('delivers an event held back by an older transaction soon after that one ends, without backing off', async () => {
    const tag = `owed${randomUUID().slice(0, 8)}`;
    const store = createEventStore({ sql: t.sql, upcasters: [], pollIntervalMs: 60_000 });
    try {
      const live = collect(
        store.subscribeToAll({ fromPosition: await now(), filter: { streamCategories: [tag] } }),
      );
      // an older transaction with an id: everything committed after it began is held back
      const slow = await t.sql.reserve();
      try {
        await slow`BEGIN`;
        await slow`SELECT pg_current_xact_id()`;
        await t.store.appendToStream(`${tag}-1`, [ev('HeldBack')]);
        // long enough for a reader backing off from 4 ms to sleep past 500 ms before its next read
        await new Promise((resolve) => setTimeout(resolve, 270));
        expect(live.events).toEqual([]);
      } finally {
        await slow.unsafe('COMMIT');
        slow.release();
      }
      const ended = performance.now();
      await eventually(() => live.events.length === 1, 10_000);
      // Well under the half second a reader backing off would sleep.
      expect(performance.now() - ended).toBeLessThan(400);
    } finally {
      await store.close();
    }
  });

  it('starting from the end skips what was visible; close() ends the iteration', async () => {
    const tag = `end${randomUUID().slice(0, 8)}`;
    await t.store.appendToStream(`${tag}-1`, [ev('Old')]);
    await eventually(
      async () => (await t.store.readAll({ filter: { streamCategories: [tag] } })).length === 1,
    );
    const sub = subscribe({ fromPosition: 'end', filter: { streamCategories: [tag] } });
    const live = collect(sub);
    // 'end' is resolved when iteration starts: probe until the subscriber is live
    await eventually(async () => {
      await t.store.appendToStream(`${tag}-probe`, [ev('Probe')]);
      return live.events.length > 0;
    });
    expect(live.events.map((e) => e.type)).not.toContain('Old');
    await sub.close();
    await live.done;
  });
});
