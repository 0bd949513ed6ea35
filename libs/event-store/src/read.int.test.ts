import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
import { comparePositions } from './position.js';
import { openTestStore, type TestStore, untilVisible } from './test-store.js';
import type { EventData, EventMetadata, Upcaster } from './types.js';

const ev = (type: string, data: unknown = {}, metadata?: EventMetadata): EventData => ({
  type,
  data,
  ...(metadata ? { metadata } : {}),
});
const stream = (category = 'user') => `${category}-${randomUUID()}`;
const revisions = (events: { revision: bigint }[]) => events.map((e) => e.revision);

/** v1 UserCreated had `name`; v2 split it; v3 added a locale. */
const upcasters: Upcaster[] = [
  {
    eventType: 'UserCreated',
    fromVersion: 1,
    upcast: (e) => {
      const [firstName, ...rest] = (e.data as { name: string }).name.split(' ');
      return {
        type: e.type,
        data: { firstName, lastName: rest.join(' ') },
        metadata: { ...e.metadata, schemaVersion: 2 },
      };
    },
  },
  {
    eventType: 'UserCreated',
    fromVersion: 2,
    upcast: (e) => ({
      type: e.type,
      data: { ...(e.data as object), locale: 'en' },
      metadata: { ...e.metadata, schemaVersion: 3 },
    }),
  },
];

describe('reading', () => {
  let t: TestStore;
  /** Appends, then waits until $all readers see it. */
  const appendVisible = async (...args: Parameters<TestStore['store']['appendToStream']>) => {
    const r = await t.store.appendToStream(...args);
    await untilVisible(t.store, r.position);
    return r;
  };
  beforeAll(async () => {
    t = await openTestStore({ upcasters });
  });
  afterAll(async () => {
    await t.close();
  });

  it('round-trips data and metadata unchanged, schemaVersion defaulting to 1', async () => {
    const s = stream();
    const metadata: EventMetadata = {
      tenant: 'client-1',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      commandId: randomUUID(),
      actor: 'user:42',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      schemaVersion: 4,
      custom: { nested: [1, 'two', null, { deep: true }] },
    };
    const data = { text: 'héllo 👋', amount: 12.5, flags: [true, false], nothing: null };
    const id = randomUUID();
    await appendVisible(s, [{ id, type: 'MessagePosted', data, metadata }, ev('Plain', 'just a string')]);
    const [first, second] = await t.store.readStream(s);
    expect(first).toMatchObject({ id, type: 'MessagePosted', streamName: s, revision: 0n, data, metadata });
    expect(first?.created).toBeInstanceOf(Date);
    expect(second?.data).toBe('just a string');
    expect(second?.metadata).toEqual({ schemaVersion: 1 });
    const [fromAll] = await t.store.readAll({ filter: { eventTypes: ['MessagePosted'] } });
    expect(fromAll).toEqual(first);
  });

  it('upcasts old versions on every read path and never rewrites the stored row', async () => {
    const s = stream();
    await appendVisible(s, [ev('UserCreated', { name: 'Ann Marie Lee' }, { tenant: 't1' })]);
    await appendVisible(s, [ev('UserCreated', { firstName: 'Bo', lastName: 'Ek' }, { schemaVersion: 2 })]);
    const expected = [
      {
        data: { firstName: 'Ann', lastName: 'Marie Lee', locale: 'en' },
        metadata: { tenant: 't1', schemaVersion: 3 },
      },
      { data: { firstName: 'Bo', lastName: 'Ek', locale: 'en' }, metadata: { schemaVersion: 3 } },
    ];
    expect(await t.store.readStream(s)).toMatchObject(expected);
    const fromAll = (await t.store.readAll()).filter((e) => e.streamName === s);
    expect(fromAll).toMatchObject(expected);
    const sub = t.store.subscribeToAll({ filter: { eventTypes: ['UserCreated'] } });
    const seen = [];
    for await (const e of sub) {
      if (e.streamName === s) seen.push(e);
      if (seen.length === 2) break;
    }
    expect(seen).toMatchObject(expected);
    const stored = await t.sql<{ data: unknown; metadata: unknown }[]>`
      SELECT data, metadata FROM es.events WHERE stream_name = ${s} ORDER BY revision`;
    expect(stored).toEqual([
      { data: { name: 'Ann Marie Lee' }, metadata: { tenant: 't1', schemaVersion: 1 } },
      { data: { firstName: 'Bo', lastName: 'Ek' }, metadata: { schemaVersion: 2 } },
    ]);
  });

  describe('a stream', () => {
    it('reads forwards and backwards, from a revision, up to a count', async () => {
      const s = stream();
      await t.store.appendToStream(
        s,
        ['A', 'B', 'C', 'D', 'E'].map((x) => ev(x)),
      );
      expect(revisions(await t.store.readStream(s))).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(revisions(await t.store.readStream(s, { fromRevision: 2n, maxCount: 2 }))).toEqual([2n, 3n]);
      expect(revisions(await t.store.readStream(s, { direction: 'backwards' }))).toEqual([
        4n,
        3n,
        2n,
        1n,
        0n,
      ]);
      expect(revisions(await t.store.readStream(s, { direction: 'backwards', fromRevision: 2n }))).toEqual([
        2n,
        1n,
        0n,
      ]);
      expect(revisions(await t.store.readStream(s, { direction: 'backwards', maxCount: 1 }))).toEqual([4n]);
      expect(
        revisions(await t.store.readStream(s, { direction: 'backwards', fromRevision: 'start' })),
      ).toEqual([0n]);
      expect(await t.store.readStream(s, { fromRevision: 'end' })).toEqual([]);
      expect(await t.store.readStream(s, { fromRevision: 9n })).toEqual([]);
    });

    it('that does not exist is not found', async () => {
      await expect(t.store.readStream(stream())).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('hides all but the latest maxCount events', async () => {
      const s = stream();
      await t.store.appendToStream(
        s,
        ['A', 'B', 'C', 'D', 'E'].map((x) => ev(x)),
      );
      await t.store.setStreamMetadata(s, { maxCount: 2 });
      expect(revisions(await t.store.readStream(s))).toEqual([3n, 4n]);
      expect(revisions(await t.store.readStream(s, { direction: 'backwards' }))).toEqual([4n, 3n]);
      expect(revisions(await t.store.readStream(s, { fromRevision: 0n, maxCount: 1 }))).toEqual([3n]);
      await t.store.appendToStream(s, [ev('F')]);
      expect(revisions(await t.store.readStream(s))).toEqual([4n, 5n]);
    });

    it('hides events below truncateBefore', async () => {
      const s = stream();
      await t.store.appendToStream(
        s,
        ['A', 'B', 'C'].map((x) => ev(x)),
      );
      await t.store.setStreamMetadata(s, { truncateBefore: 2n });
      expect(revisions(await t.store.readStream(s))).toEqual([2n]);
    });

    it('hides events older than maxAge', async () => {
      const s = stream();
      await appendVisible(
        s,
        ['A', 'B', 'C'].map((x) => ev(x)),
      );
      // age the first two events as if written an hour ago
      await t.sql`UPDATE es.events SET created = now() - interval '1 hour' WHERE stream_name = ${s} AND revision < 2`;
      expect(revisions(await t.store.readStream(s))).toEqual([0n, 1n, 2n]);
      await t.store.setStreamMetadata(s, { maxAge: 60 });
      expect(revisions(await t.store.readStream(s))).toEqual([2n]);
      await t.store.setStreamMetadata(s, { maxAge: 7200 });
      expect(revisions(await t.store.readStream(s))).toEqual([0n, 1n, 2n]);
      // hidden from the stream, still in $all
      const fromAll = (await t.store.readAll()).filter((e) => e.streamName === s);
      expect(fromAll).toHaveLength(3);
    });

    it('keeps its metadata, custom keys included', async () => {
      const s = stream();
      expect(await t.store.getStreamMetadata(s)).toBeNull();
      await t.store.setStreamMetadata(s, { maxAge: 30, maxCount: 10, truncateBefore: 3n, owner: 'ops' });
      expect(await t.store.getStreamMetadata(s)).toEqual({
        maxAge: 30,
        maxCount: 10,
        truncateBefore: 3n,
        owner: 'ops',
      });
      // metadata alone does not make the stream exist
      await expect(t.store.readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
      expect(
        (await t.store.appendToStream(s, [ev('A')], { expectedState: 'no_stream' })).nextExpectedRevision,
      ).toBe(0n);
      await expect(t.store.setStreamMetadata(s, { maxCount: 0 })).rejects.toThrow(RangeError);
    });
  });

  describe('deleting', () => {
    it('soft delete: not found until an append re-creates it, revisions continuing', async () => {
      const s = stream();
      await t.store.appendToStream(
        s,
        ['A', 'B', 'C'].map((x) => ev(x)),
      );
      const wrong = await t.store.deleteStream(s, { expectedState: 1n }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
      expect((wrong as WrongExpectedVersionError).actualRevision).toBe(2n);
      await t.store.deleteStream(s, { expectedState: 2n });
      await expect(t.store.readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
      const err = await t.store.appendToStream(s, [ev('X')], { expectedState: 2n }).catch((e: unknown) => e);
      expect((err as WrongExpectedVersionError).actualRevision).toBe('no_stream');
      const r = await t.store.appendToStream(s, [ev('D')], { expectedState: 'no_stream' });
      expect(r.nextExpectedRevision).toBe(3n);
      const events = await t.store.readStream(s);
      expect(events.map((e) => [e.type, e.revision])).toEqual([['D', 3n]]);
      await t.store.appendToStream(s, [ev('E')], { expectedState: 3n });
      expect(revisions(await t.store.readStream(s))).toEqual([3n, 4n]);
    });

    it('soft delete of a missing stream is a no-op; with an expected revision it is refused', async () => {
      const s = stream();
      await t.store.deleteStream(s);
      await expect(t.store.deleteStream(s, { expectedState: 0n })).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await expect(t.store.readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('tombstone: every later read or append fails as deleted, forever', async () => {
      const s = stream();
      await t.store.appendToStream(s, [ev('A')]);
      await t.store.tombstoneStream(s, { expectedState: 0n });
      await expect(t.store.readStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
      for (const expectedState of ['any', 'no_stream', 'stream_exists', 0n] as const) {
        await expect(t.store.appendToStream(s, [ev('B')], { expectedState })).rejects.toBeInstanceOf(
          StreamDeletedError,
        );
      }
      await expect(t.store.appendToStreams([{ stream: s, events: [ev('B')] }])).rejects.toBeInstanceOf(
        StreamDeletedError,
      );
      await expect(t.store.deleteStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(t.store.tombstoneStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(t.store.setStreamMetadata(s, { maxCount: 1 })).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(t.store.getStreamMetadata(s)).rejects.toBeInstanceOf(StreamDeletedError);
    });

    it('tombstoning a stream that never existed reserves its name', async () => {
      const s = stream();
      await t.store.tombstoneStream(s, { expectedState: 'no_stream' });
      await expect(t.store.appendToStream(s, [ev('A')])).rejects.toBeInstanceOf(StreamDeletedError);
    });
  });

  describe('$all', () => {
    it('reads forwards and backwards with exclusive bounds', async () => {
      const s = stream('alltest');
      await appendVisible(
        s,
        ['A', 'B', 'C', 'D'].map((x) => ev(x)),
      );
      const forwards = await t.store.readAll({ filter: { streamCategories: ['alltest'] } });
      expect(forwards.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      const backwards = await t.store.readAll({
        direction: 'backwards',
        filter: { streamCategories: ['alltest'] },
      });
      expect(backwards.map((e) => e.type)).toEqual(['D', 'C', 'B', 'A']);
      const afterB = await t.store.readAll({ fromPosition: forwards[1]!.position, maxCount: 1 });
      expect(afterB.map((e) => e.type)).toEqual(['C']);
      const beforeC = await t.store.readAll({
        fromPosition: forwards[2]!.position,
        direction: 'backwards',
        maxCount: 2,
      });
      expect(beforeC.map((e) => e.type)).toEqual(['B', 'A']);
      const all = await t.store.readAll();
      for (let i = 1; i < all.length; i++)
        expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBe(-1);
      expect(await t.store.readAll({ fromPosition: 'end' })).toEqual([]);
      expect(await t.store.readAll({ fromPosition: 'start', direction: 'backwards' })).toEqual([]);
      expect(await t.store.headPosition()).toEqual(all[all.length - 1]?.position);
    });

    it('filters by category, event type and tenant', async () => {
      const tag = randomUUID().slice(0, 8);
      await appendVisible(`cat${tag}a-1`, [ev('Opened', {}, { tenant: `t${tag}` }), ev('Closed')]);
      await appendVisible(`cat${tag}b-1`, [ev('Opened', {}, { tenant: `u${tag}` }), ev('Noted')]);
      await appendVisible(`cat${tag}c-1`, [ev('Opened', {}, { tenant: `t${tag}` })]);
      const cats = await t.store.readAll({ filter: { streamCategories: [`cat${tag}a`, `cat${tag}b`] } });
      expect(cats.map((e) => `${e.streamName}:${e.type}`)).toEqual([
        `cat${tag}a-1:Opened`,
        `cat${tag}a-1:Closed`,
        `cat${tag}b-1:Opened`,
        `cat${tag}b-1:Noted`,
      ]);
      const types = await t.store.readAll({
        filter: { streamCategories: [`cat${tag}a`, `cat${tag}b`, `cat${tag}c`], eventTypes: ['Opened'] },
      });
      expect(types.map((e) => e.streamName)).toEqual([`cat${tag}a-1`, `cat${tag}b-1`, `cat${tag}c-1`]);
      const tenant = await t.store.readAll({ filter: { tenant: `t${tag}` } });
      expect(tenant.map((e) => e.streamName)).toEqual([`cat${tag}a-1`, `cat${tag}c-1`]);
      const backwards = await t.store.readAll({
        direction: 'backwards',
        maxCount: 1,
        filter: { tenant: `t${tag}` },
      });
      expect(backwards.map((e) => e.streamName)).toEqual([`cat${tag}c-1`]);
    });
  });

  describe('by correlation id', () => {
    it('reads every event of one correlation id across streams in $all order, deleted streams too, upcast', async () => {
      const correlationId = `req-${randomUUID()}`;
      const [a, b] = [stream(), stream()];
      await appendVisible(a, [ev('UserCreated', { name: 'Ann Lee' }, { correlationId })]);
      await appendVisible(b, [ev('Noted', { n: 1 }, { correlationId }), ev('Noted', { n: 2 })]);
      await appendVisible(a, [ev('Noted', { n: 3 }, { correlationId })]);
      await t.store.deleteStream(b);

      const events = await t.store.readCorrelated(correlationId);
      expect(events.map((e) => [e.streamName, e.type, e.data])).toEqual([
        [a, 'UserCreated', { firstName: 'Ann', lastName: 'Lee', locale: 'en' }],
        [b, 'Noted', { n: 1 }],
        [a, 'Noted', { n: 3 }],
      ]);
      const positions = events.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
      expect((await t.store.readCorrelated(correlationId, { maxCount: 2 })).map((e) => e.data)).toEqual([
        { firstName: 'Ann', lastName: 'Lee', locale: 'en' },
        { n: 1 },
      ]);
      expect(await t.store.readCorrelated(`req-${randomUUID()}`)).toEqual([]);
    });
  });
});

describe('an empty store', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(async () => {
    await t.close();
  });

  it('has no head position and an empty $all', async () => {
    expect(await t.store.headPosition()).toBeNull();
    expect(await t.store.readAll()).toEqual([]);
  });

  it('uses sessions that cannot idle inside a transaction forever', async () => {
    const [row] = await t.sql<
      { idle_in_transaction_session_timeout: string }[]
    >`SHOW idle_in_transaction_session_timeout`;
    expect(row?.idle_in_transaction_session_timeout).toBe('30s');
  });
});
