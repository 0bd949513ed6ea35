import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventData,
  type EventStore,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/core-system.js';

describe('switchboard events and trace', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let store: EventStore;
  const clientId = randomUUID();
  const otherClient = randomUUID();
  const userId = randomUUID();
  const conversationId = randomUUID();
  const stream = `conversation-${conversationId}`;
  const meta = (correlationId: string, causationId: string, tenant = clientId) => ({
    tenant,
    correlationId,
    causationId,
    actor: `user:${userId}`,
  });
  const posted = (sequence: number, text: string, metadata: EventData['metadata']): EventData => ({
    type: 'MessagePosted',
    data: {
      messageId: randomUUID(),
      conversationId,
      clientId,
      sequence,
      authorId: userId,
      authorKind: 'user',
      payload: { type: 'text', text },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      collect: false,
      sentOn: '2026-01-01T00:00:00.000Z',
    },
    metadata,
  });
  const run = (...args: string[]) => runCli(db.url, args);

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = connectEventStore(db.url, { max: 3 });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    // request "req-1" creates a client, a user and a conversation with its first message; "req-2" posts
    await store.appendToStreams([
      {
        stream: `client-${clientId}`,
        events: [
          {
            type: 'ClientCreated',
            data: { clientId, name: 'acme', tokenHash: 'a'.repeat(64) },
            metadata: meta('req-1', 'cmd-1'),
          },
        ],
      },
      {
        stream: `user-${userId}`,
        events: [{ type: 'UserCreated', data: { userId, clientId }, metadata: meta('req-1', 'cmd-1') }],
      },
    ]);
    await store.appendToStream(`user-${randomUUID()}`, [
      {
        type: 'UserCreated',
        data: { userId: randomUUID(), clientId: otherClient },
        metadata: meta('req-9', 'c9', otherClient),
      },
    ]);
    await store.appendToStream(stream, [
      {
        type: 'ConversationStarted',
        data: { conversationId, clientId, userId, kind: 'direct' },
        metadata: meta('req-1', 'cmd-2'),
      },
      posted(1, 'hello there', meta('req-1', 'cmd-3')),
    ]);
    await store.appendToStream(stream, [posted(2, 'second', meta('req-2', 'cmd-4'))]);
    await store.appendToStream(stream, [posted(3, 'third', meta('req-2', 'cmd-5'))]);
  });
  afterAll(async () => {
    await store.close();
    await sql.end();
    await db.drop();
  });

  describe('events read', () => {
    it('prints the stream as an aligned timeline', async () => {
      const { out, code } = await run('events', 'read', stream);
      expect(code).toBe(0);
      const lines = out.split('\n');
      expect(lines[0]).toMatch(/^REV\s+TIME\s+TYPE\s+ACTOR\s+CORRELATION\s+CAUSATION\s+DATA$/);
      expect(lines).toHaveLength(5);
      const typeColumn = lines[0]!.indexOf('TYPE');
      expect(lines.slice(1).map((l) => l.slice(typeColumn).split(/\s+/)[0])).toEqual([
        'ConversationStarted',
        'MessagePosted',
        'MessagePosted',
        'MessagePosted',
      ]);
      expect(lines[2]).toMatch(
        new RegExp(
          `^1\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+MessagePosted\\s+user:${userId}\\s+req-1\\s+cmd-3\\s+`,
        ),
      );
      // a compact summary: the stream's own id left out, other ids cut, text quoted
      expect(lines[2]).toContain('sequence=1');
      expect(lines[2]).toContain('payload.text="hello there"');
      expect(lines[2]).not.toContain(conversationId);
      expect(lines[1]).toMatch(
        new RegExp(`kind=direct userId=${userId.slice(0, 8)}… clientId=${clientId.slice(0, 8)}…$`),
      );
    });

    it('pages from a revision, and prints raw events as JSON lines', async () => {
      const { out } = await run('events', 'read', stream, '--from', '1', '--limit', '2', '--json');
      const events = out.split('\n').map((l) => JSON.parse(l));
      expect(events.map((e) => [e.revision, e.type, e.metadata.causationId])).toEqual([
        ['1', 'MessagePosted', 'cmd-3'],
        ['2', 'MessagePosted', 'cmd-4'],
      ]);
      expect(events[0]).toMatchObject({ stream, data: { payload: { text: 'hello there' } } });
      expect(events[0].position.commit).toMatch(/^\d+$/);
    });

    it('names an unknown stream (exit 3) and refuses bad arguments (exit 2)', async () => {
      const missing = await run('events', 'read', `conversation-${randomUUID()}`);
      expect(missing.code).toBe(3);
      expect(missing.error).toMatchObject({ message: expect.stringMatching(/not found/) });
      for (const args of [
        ['events', 'read', stream, '--from', '-1'],
        ['events', 'read', stream, '--limit', '0'],
        ['events', 'read', '$all'],
        ['events', 'read'],
        ['events', 'nope'],
      ]) {
        expect((await run(...args)).code, args.join(' ')).toBe(2);
      }
    });
  });

  describe('events tail', () => {
    it('follows $all live, filtered by type and tenant, until Ctrl-C, and exits 0', async () => {
      const stop = new AbortController();
      const lines: string[] = [];
      let seen: (() => void) | null = null;
      const running = runCli(
        db.url,
        [
          'events',
          'tail',
          '--from',
          'start',
          '--type',
          'MessagePosted',
          '--type',
          'UserCreated',
          '--tenant',
          clientId,
        ],
        {
          signal: stop.signal,
          onOut: (line) => {
            lines.push(line);
            if (line.includes('live one')) seen?.();
          },
        },
      );
      const live = new Promise<void>((resolve) => {
        seen = resolve;
      });
      await store.appendToStream(stream, [posted(4, 'live one', meta('req-3', 'cmd-6'))]);
      await live;
      stop.abort();
      const result = await running;
      expect(result.code).toBe(0);
      expect(lines[0]).toMatch(/^POSITION\s+TIME\s+STREAM\s+REV\s+TYPE\s+CORRELATION\s+DATA$/);
      const rows = lines.slice(1);
      // the other tenant's user and the non-matching types are left out
      expect(rows.map((l) => l.split(/\s+/)[4])).toEqual([
        'UserCreated',
        'MessagePosted',
        'MessagePosted',
        'MessagePosted',
        'MessagePosted',
      ]);
      // in $all order: by commit, then prepare
      const positions = rows.map((l) => (l.split(/\s+/)[0] ?? '').split('/').map(BigInt));
      const sorted = [...positions].sort(([ac = 0n, ap = 0n], [bc = 0n, bp = 0n]) =>
        ac === bc ? Number(ap - bp) : Number(ac - bc),
      );
      expect(positions).toEqual(sorted);
      expect(rows.at(-1)).toContain('payload.text="live one"');
    });

    it('refuses a bad position or an unknown type (exit 2)', async () => {
      const bad = await run('events', 'tail', '--from', 'yesterday');
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/bad position "yesterday": expected start, end or <commit>\/<prepare>/);
      const type = await run('events', 'tail', '--type', 'MessagePostd');
      expect(type.code).toBe(2);
      expect(type.error).toMatchObject({ message: 'unknown event type: MessagePostd' });
    });
  });

  describe('trace', () => {
    it('lists every event of one correlation id across streams, in global order', async () => {
      const { out, code } = await run('trace', 'req-1');
      expect(code).toBe(0);
      const [header, ...rows] = out.split('\n');
      expect(header).toMatch(/^POSITION\s+TIME\s+STREAM\s+REV\s+TYPE\s+CAUSATION\s+ACTOR\s+DATA$/);
      expect(rows.map((r) => r.split(/\s+/).slice(2, 6))).toEqual([
        [`client-${clientId}`, '0', 'ClientCreated', 'cmd-1'],
        [`user-${userId}`, '0', 'UserCreated', 'cmd-1'],
        [stream, '0', 'ConversationStarted', 'cmd-2'],
        [stream, '1', 'MessagePosted', 'cmd-3'],
      ]);
      const json = (await run('trace', 'req-2', '--json')).out.split('\n').map((l) => JSON.parse(l));
      expect(json.map((e) => [e.stream, e.revision])).toEqual([
        [stream, '2'],
        [stream, '3'],
      ]);
    });

    it('says when nothing has that correlation id (exit 3)', async () => {
      const { code, error } = await run('trace', 'req-404');
      expect(code).toBe(3);
      expect(error).toMatchObject({ message: 'no event has correlation id "req-404"' });
    });

    it('finds them through the correlation id index', async () => {
      const plan = await sql.begin(async (tx) => {
        await tx`SET LOCAL enable_seqscan = off`;
        return tx.unsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT * FROM es.events WHERE metadata->>'correlationId' = 'req-1'`,
        );
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_correlation_id');
    });
  });
});
