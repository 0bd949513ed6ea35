import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendStatements } from './append-sql.js';
import { DuplicateEventIdError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
import { openTestStore, type TestStore, untilVisible } from './test-store.js';
import type { EventData, ExpectedState } from './types.js';

const ev = (type: string, data: unknown = {}): EventData => ({ type, data });
const stream = (category = 'user') => `${category}-${randomUUID()}`;

/** The error an append rejects with, asserted to be a WrongExpectedVersionError. */
async function wrongVersion(p: Promise<unknown>): Promise<WrongExpectedVersionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WrongExpectedVersionError);
  return err as WrongExpectedVersionError;
}

describe('appending', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ max: 12 });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('expected states', () => {
    it('no_stream: creates a stream, then refuses with the actual revision', async () => {
      const s = stream();
      const r = await t.store.appendToStream(s, [ev('A'), ev('B')], { expectedState: 'no_stream' });
      expect(r.nextExpectedRevision).toBe(1n);
      expect(r.duplicate).toBe(false);
      const err = await wrongVersion(t.store.appendToStream(s, [ev('C')], { expectedState: 'no_stream' }));
      expect(err.streamName).toBe(s);
      expect(err.expectedState).toBe('no_stream');
      expect(err.actualRevision).toBe(1n);
    });

    it('stream_exists: refuses a missing stream, appends to an existing one', async () => {
      const s = stream();
      const err = await wrongVersion(
        t.store.appendToStream(s, [ev('A')], { expectedState: 'stream_exists' }),
      );
      expect(err.actualRevision).toBe('no_stream');
      await expect(t.store.readStream(s)).rejects.toBeInstanceOf(StreamNotFoundError);
      await t.store.appendToStream(s, [ev('A')]);
      const r = await t.store.appendToStream(s, [ev('B')], { expectedState: 'stream_exists' });
      expect(r.nextExpectedRevision).toBe(1n);
    });

    it('exact revision: appends only at that revision, and reports the actual one', async () => {
      const s = stream();
      const missing = await wrongVersion(t.store.appendToStream(s, [ev('A')], { expectedState: 0n }));
      expect(missing.actualRevision).toBe('no_stream');
      await t.store.appendToStream(s, [ev('A'), ev('B'), ev('C')], { expectedState: 'no_stream' });
      const behind = await wrongVersion(t.store.appendToStream(s, [ev('D')], { expectedState: 1n }));
      expect(behind.expectedState).toBe(1n);
      expect(behind.actualRevision).toBe(2n);
      const ahead = await wrongVersion(t.store.appendToStream(s, [ev('D')], { expectedState: 7n }));
      expect(ahead.actualRevision).toBe(2n);
      const r = await t.store.appendToStream(s, [ev('D')], { expectedState: 2n });
      expect(r.nextExpectedRevision).toBe(3n);
      expect((await t.store.readStream(s)).map((e) => [e.type, e.revision])).toEqual([
        ['A', 0n],
        ['B', 1n],
        ['C', 2n],
        ['D', 3n],
      ]);
    });

    it('any: creates or continues a stream', async () => {
      const s = stream();
      expect(
        (await t.store.appendToStream(s, [ev('A')], { expectedState: 'any' })).nextExpectedRevision,
      ).toBe(0n);
      expect((await t.store.appendToStream(s, [ev('B'), ev('C')])).nextExpectedRevision).toBe(2n);
    });

    it('a failed append writes nothing', async () => {
      const s = stream();
      await untilVisible(t.store, (await t.store.appendToStream(s, [ev('A')])).position);
      const before = await t.store.headPosition();
      await wrongVersion(t.store.appendToStream(s, [ev('B'), ev('C')], { expectedState: 5n }));
      expect(await t.store.readStream(s)).toHaveLength(1);
      const [row] = await t.sql<{ count: string }[]>`SELECT count(*) FROM es.events WHERE stream_name = ${s}`;
      expect(row?.count).toBe('1');
      expect(await t.store.headPosition()).toEqual(before);
    });

    it('positions of one append share its transaction and rise with the revisions', async () => {
      const s = stream();
      await t.store.appendToStream(s, [ev('A'), ev('B'), ev('C')]);
      const events = await t.store.readStream(s);
      expect(new Set(events.map((e) => e.position.commit)).size).toBe(1);
      expect(events.map((e) => e.position.prepare)).toEqual(
        [...events.map((e) => e.position.prepare)].sort(),
      );
    });
  });

  describe('races', () => {
    it('no_stream: of appends racing to create a stream, exactly one wins', async () => {
      for (let round = 0; round < 10; round++) {
        const s = stream();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 4 }, (_, i) =>
            t.store.appendToStream(s, [ev(`W${i}`)], { expectedState: 'no_stream' }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(3);
        for (const e of lost) {
          expect(e).toBeInstanceOf(WrongExpectedVersionError);
          expect((e as WrongExpectedVersionError).actualRevision).toBe(0n);
        }
        expect(await t.store.readStream(s)).toHaveLength(1);
      }
    });

    it('exact revision: of writers racing from the same revision, exactly one wins', async () => {
      for (let round = 0; round < 10; round++) {
        const s = stream();
        await t.store.appendToStream(s, [ev('A')], { expectedState: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 2 }, (_, i) =>
            t.store.appendToStream(s, [ev(`W${i}`)], { expectedState: 0n }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const [lost] = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(lost).toBeInstanceOf(WrongExpectedVersionError);
        expect((lost as WrongExpectedVersionError).actualRevision).toBe(1n);
        expect(await t.store.readStream(s)).toHaveLength(2);
      }
    });

    it('any: racing writers all append, each to its own revisions', async () => {
      const s = stream();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => t.store.appendToStream(s, [ev(`W${i}`), ev(`W${i}`)])),
      );
      expect(results.map((r) => r.nextExpectedRevision).sort((a, b) => Number(a - b))).toEqual([
        1n,
        3n,
        5n,
        7n,
        9n,
        11n,
        13n,
        15n,
      ]);
      const events = await t.store.readStream(s);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i)));
      // an append's events stay together
      for (let i = 0; i < 16; i += 2) expect(events[i]?.type).toBe(events[i + 1]?.type);
    });
  });

  describe('idempotency', () => {
    it('a repeated command id returns the first result and appends nothing', async () => {
      const s = stream();
      const commandId = randomUUID();
      const first = await t.store.appendToStream(s, [ev('A'), ev('B')], {
        expectedState: 'no_stream',
        commandId,
        result: { userId: 'u1' },
      });
      expect(first).toMatchObject({ duplicate: false, result: { userId: 'u1' }, nextExpectedRevision: 1n });
      await t.store.appendToStream(s, [ev('C')]);
      // the retry's expected state no longer holds, but the command already ran: same answer
      const retry = await t.store.appendToStream(s, [ev('A'), ev('B')], {
        expectedState: 'no_stream',
        commandId,
        result: { userId: 'other' },
      });
      expect(retry).toEqual({ ...first, duplicate: true });
      expect(await t.store.readStream(s)).toHaveLength(3);
    });

    it('of identical commands racing, one appends and the others return its result', async () => {
      for (const expectedState of ['any', 'no_stream'] satisfies ExpectedState[]) {
        for (let round = 0; round < 5; round++) {
          const s = stream();
          const commandId = randomUUID();
          const results = await Promise.all(
            Array.from({ length: 3 }, () =>
              t.store.appendToStream(s, [ev('A')], { expectedState, commandId, result: { round } }),
            ),
          );
          expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
          for (const r of results) {
            expect(r.position).toEqual(results[0]?.position);
            expect(r.nextExpectedRevision).toBe(0n);
            expect(r.result).toEqual({ round });
          }
          expect(await t.store.readStream(s)).toHaveLength(1);
        }
      }
    });

    it('a command id that failed can run again', async () => {
      const s = stream();
      const commandId = randomUUID();
      await wrongVersion(t.store.appendToStream(s, [ev('A')], { expectedState: 3n, commandId }));
      const r = await t.store.appendToStream(s, [ev('A')], { expectedState: 'no_stream', commandId });
      expect(r.duplicate).toBe(false);
    });

    it('re-sending the same event ids is a no-op that returns the first append', async () => {
      const s = stream();
      const events = [
        { id: randomUUID(), type: 'A', data: 1 },
        { id: randomUUID(), type: 'B', data: 2 },
      ];
      const first = await t.store.appendToStream(s, events, { expectedState: 'no_stream' });
      const retry = await t.store.appendToStream(s, events, { expectedState: 'no_stream' });
      expect(retry).toEqual({
        nextExpectedRevision: first.nextExpectedRevision,
        position: first.position,
        duplicate: true,
      });
      expect(await t.store.readStream(s)).toHaveLength(2);
    });

    it('an event id reused in any other way is an error', async () => {
      const s = stream();
      const a = { id: randomUUID(), type: 'A', data: 1 };
      const b = { id: randomUUID(), type: 'B', data: 2 };
      await t.store.appendToStream(s, [a, b]);
      // part of the batch, a different order, another stream, twice in one call
      await expect(t.store.appendToStream(s, [b, ev('C')])).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(t.store.appendToStream(s, [b, a])).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(t.store.appendToStream(stream(), [a, b])).rejects.toBeInstanceOf(DuplicateEventIdError);
      const c = { id: randomUUID(), type: 'C', data: 3 };
      await expect(t.store.appendToStream(s, [c, c])).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(await t.store.readStream(s)).toHaveLength(2);
    });
  });

  describe('several streams at once', () => {
    it('appends to all of them in one transaction', async () => {
      const user = stream('user');
      const conversation = stream('conversation');
      const [u, c] = await t.store.appendToStreams([
        { stream: user, events: [ev('UserCreated')], expectedState: 'no_stream' },
        {
          stream: conversation,
          events: [ev('ConversationStarted'), ev('ParticipantJoined')],
          expectedState: 'no_stream',
        },
      ]);
      expect(u?.nextExpectedRevision).toBe(0n);
      expect(c?.nextExpectedRevision).toBe(1n);
      expect(u?.position.commit).toBe(c?.position.commit);
    });

    it('appends to none of them when one expected state fails', async () => {
      const fresh = stream('user');
      const existing = stream('conversation');
      await t.store.appendToStream(existing, [ev('ConversationStarted')]);
      const err = await wrongVersion(
        t.store.appendToStreams([
          { stream: fresh, events: [ev('UserCreated')], expectedState: 'no_stream' },
          { stream: existing, events: [ev('ParticipantJoined')], expectedState: 'no_stream' },
        ]),
      );
      expect(err.streamName).toBe(existing);
      expect(err.actualRevision).toBe(0n);
      await expect(t.store.readStream(fresh)).rejects.toBeInstanceOf(StreamNotFoundError);
      expect(await t.store.readStream(existing)).toHaveLength(1);
    });

    it('honours a command id, also when identical commands race', async () => {
      const commandId = randomUUID();
      const a = stream('user');
      const b = stream('conversation');
      const appends = [
        { stream: a, events: [ev('UserCreated')], expectedState: 'any' as const },
        { stream: b, events: [ev('ConversationStarted')], expectedState: 'any' as const },
      ];
      const results = await Promise.all(
        [1, 2, 3].map(() => t.store.appendToStreams(appends, { commandId, result: { ok: true } })),
      );
      expect(results.filter((r) => !r[0]?.duplicate)).toHaveLength(1);
      for (const r of results) {
        expect(r.map((x) => x.position)).toEqual(results[0]?.map((x) => x.position));
        expect(r[0]?.result).toEqual({ ok: true });
      }
      const again = await t.store.appendToStreams(appends, { commandId });
      expect(again.every((r) => r.duplicate)).toBe(true);
      expect(await t.store.readStream(a)).toHaveLength(1);
      expect(await t.store.readStream(b)).toHaveLength(1);

      // with exact expected states the losers find the streams moved on, and still get the result
      const creating = [
        { stream: stream('user'), events: [ev('UserCreated')], expectedState: 'no_stream' as const },
        {
          stream: stream('conversation'),
          events: [ev('ConversationStarted')],
          expectedState: 'no_stream' as const,
        },
      ];
      const created = await Promise.all(
        [1, 2, 3].map(() => t.store.appendToStreams(creating, { commandId: `${commandId}-create` })),
      );
      expect(created.filter((r) => !r[0]?.duplicate)).toHaveLength(1);
      for (const r of created) expect(r.map((x) => x.position)).toEqual(created[0]?.map((x) => x.position));
    });

    it('returns the first result for a retried command id', async () => {
      const commandId = randomUUID();
      const appends = [{ stream: stream('user'), events: [ev('UserCreated')] }];
      await t.store.appendToStreams(appends, { commandId });
      const again = await t.store.appendToStreams(appends, { commandId });
      expect(again.every((r) => r.duplicate)).toBe(true);
      expect(await t.store.readStream(appends[0]!.stream)).toHaveLength(1);
    });
  });

  it('costs the same on a long stream: the append statement reads no event of the stream', async () => {
    const s = stream();
    await t.sql`INSERT INTO es.streams (name, category, revision) VALUES (${s}, 'user', 49999)`;
    await t.sql`
      INSERT INTO es.events (event_id, stream_name, category, revision, type, data, metadata)
      SELECT gen_random_uuid(), ${s}, 'user', g, 'Filler', '{}', '{}' FROM generate_series(0, 49999) g`;
    await t.sql`ANALYZE es.events`;
    const [row] = await t.sql.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${appendStatements.revision}`, [
      s,
      'user',
      1,
      t.sql.json([{ id: randomUUID(), type: 'Tail', data: {}, metadata: { schemaVersion: 1 } }]),
      null,
      null,
      '49999',
    ]);
    type PlanNode = {
      'Node Type': string;
      'Actual Rows': number;
      'Actual Loops': number;
      Plans?: PlanNode[];
    };
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      nodes.push(n);
      for (const c of n.Plans ?? []) walk(c);
    };
    const [plan] = (row?.['QUERY PLAN'] ?? []) as { Plan: PlanNode }[];
    walk(plan!.Plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    // every node handles a row or two, not the stream's 50,000 events
    expect(Math.max(...nodes.map((n) => n['Actual Rows'] * n['Actual Loops']))).toBeLessThanOrEqual(1);
    expect((await t.store.readStream(s, { direction: 'backwards', maxCount: 1 }))[0]?.revision).toBe(50000n);
  });

  it('refuses malformed input before touching the database', async () => {
    await expect(t.store.appendToStream(stream(), [])).rejects.toThrow(TypeError);
    await expect(t.store.appendToStream('', [ev('A')])).rejects.toThrow(TypeError);
    await expect(t.store.appendToStream(stream(), [{ id: 'nope', type: 'A', data: 1 }])).rejects.toThrow(
      TypeError,
    );
    await expect(t.store.appendToStream(stream(), [ev('A')], { expectedState: -1n })).rejects.toThrow(
      RangeError,
    );
  });
});
