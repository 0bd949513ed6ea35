import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreSystem, call, newClient, runCli, startCoreSystem } from '../testing/core-system.js';

interface ReadModelView {
  clientId: string;
  userId: string;
  lastSequence: number;
  archived: boolean;
  messages: number;
  endpoints: number;
}

interface ReplayedState {
  status: string;
  clientId: string;
  userId: string;
  lastSequence: number;
  clearedUpTo: number;
  removedSinceCleared: number;
  endpoints: string[];
}

describe('switchboard conversation replay', () => {
  let system: CoreSystem;
  let sql: postgres.Sql;
  let store: EventStore;
  let headers: Record<string, string>;
  let conversationId: string;
  /** After each command: the stream's revision and what the read model showed then. */
  const seen: { revision: bigint; view: ReadModelView }[] = [];

  const readModel = async (): Promise<ReadModelView> => {
    const [row] = await sql<ReadModelView[]>`
      SELECT c.client_id AS "clientId", c.user_id AS "userId", c.last_sequence::int AS "lastSequence",
             c.archived,
             (SELECT count(*)::int FROM rm.messages m WHERE m.conversation_id = c.id) AS messages,
             (SELECT count(*)::int FROM rm.endpoints e WHERE e.conversation_id = c.id) AS endpoints
      FROM rm.conversations c WHERE c.id = ${conversationId}`;
    return row!;
  };
  const capture = async () => {
    const [last] = await store.readStream(`conversation-${conversationId}`, {
      fromRevision: 'end',
      direction: 'backwards',
      maxCount: 1,
    });
    seen.push({ revision: last!.revision, view: await readModel() });
  };
  const post = async (text: string, authorId: string | null) => {
    const res = await call<{ id: string }>(system.gateway, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId, authorId, payload: { type: 'text', text } },
    });
    expect(res.status).toBe(201);
    await capture();
    return res.body.id;
  };

  beforeAll(async () => {
    system = await startCoreSystem();
    sql = connectEventStore(system.db.url, { max: 2 });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    ({ headers } = await newClient(system.gateway));
    const user = await call<{ id: string }>(system.gateway, 'POST', '/api/v1/users', { headers });
    const conversation = await call<{ id: string }>(system.gateway, 'POST', '/api/v1/conversations', {
      headers,
      body: { userId: user.body.id },
    });
    conversationId = conversation.body.id;
    await capture();
    // every command goes through the gateway and the command handler; the gateway answers once the
    // projector has its events (read-your-writes), so the read model is the one at that revision
    await post('one', user.body.id);
    const second = await post('two', null);
    await post('three', user.body.id);
    expect((await call(system.gateway, 'DELETE', `/api/v1/messages/${second}`, { headers })).status).toBe(
      200,
    );
    await capture();
    await post('four', null);
    const cleared = await call(system.gateway, 'DELETE', `/api/v1/messages/conversation/${conversationId}`, {
      headers,
    });
    expect(cleared.status).toBe(200);
    await capture();
    await post('five', user.body.id);
  });
  afterAll(async () => {
    await store?.close();
    await sql?.end();
    await system?.stop();
  });

  it('at each revision, equals what the read model showed at that point', async () => {
    expect(seen.map((s) => s.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    for (const { revision, view } of seen) {
      const { out, code } = await runCli(system.db.url, [
        'conversation',
        'replay',
        conversationId,
        '--at',
        String(revision),
        '--json',
      ]);
      expect(code).toBe(0);
      const replay = JSON.parse(out) as { revision: string; state: ReplayedState };
      expect(replay.revision).toBe(String(revision));
      const { state } = replay;
      expect(
        {
          clientId: state.clientId,
          userId: state.userId,
          lastSequence: state.lastSequence,
          archived: state.status === 'archived',
          messages: state.lastSequence - state.clearedUpTo - state.removedSinceCleared,
          endpoints: state.endpoints.length,
        },
        `revision ${revision}`,
      ).toEqual(view);
    }
  });

  it('prints the state as a table, and each step as a diff', async () => {
    const latest = await runCli(system.db.url, ['conversation', 'replay', conversationId]);
    expect(latest.out.split('\n')[0]).toBe(`conversation-${conversationId} at revision 7`);
    expect(latest.out).toMatch(/\nFIELD\s+VALUE\n/);
    expect(latest.out).toMatch(/\nlastSequence\s+5\n/);
    expect(latest.out).toMatch(/\nclearedUpTo\s+4\n/);

    const steps = await runCli(system.db.url, [
      'conversation',
      'replay',
      conversationId,
      '--step',
      '--at',
      '4',
    ]);
    const lines = steps.out.split('\n');
    expect(lines[0]).toMatch(/^#0 {2}\S+Z {2}ConversationStarted$/);
    expect(lines[1]).toBe('    status: "none" → "active"');
    expect(lines).toContain('    lastSequence: 0 → 1');
    const removal = lines.findIndex((l) => /^#4 .* MessageRemoved$/.test(l));
    expect(lines.slice(removal + 1)).toEqual([
      '    removedSinceCleared: 0 → 1',
      '    recentRemovals: [] → [2]',
    ]);
  });

  it('replays up to a time', async () => {
    const events = await store.readStream(`conversation-${conversationId}`);
    const at = events[3]!.created.toISOString();
    const { out } = await runCli(system.db.url, [
      'conversation',
      'replay',
      conversationId,
      '--at',
      at,
      '--json',
    ]);
    const expected = events
      .filter((e) => e.created.getTime() <= events[3]!.created.getTime())
      .at(-1)!.revision;
    expect(JSON.parse(out).revision).toBe(String(expected));
    const before = await runCli(system.db.url, [
      'conversation',
      'replay',
      conversationId,
      '--at',
      '2000-01-01T00:00:00Z',
    ]);
    expect(before.out.split('\n')[0]).toBe(`conversation-${conversationId}: before its first event`);
  });

  it('names an unknown conversation (exit 3) and refuses a bad point or id (exit 2)', async () => {
    const missing = await runCli(system.db.url, ['conversation', 'replay', randomUUID()]);
    expect(missing.code).toBe(3);
    const badAt = await runCli(system.db.url, [
      'conversation',
      'replay',
      conversationId,
      '--at',
      'yesterday',
    ]);
    expect(badAt.code).toBe(2);
    expect(badAt.err).toContain('"yesterday" is not a point to replay to');
    expect((await runCli(system.db.url, ['conversation', 'replay', 'not-a-uuid'])).code).toBe(2);
  });
});
