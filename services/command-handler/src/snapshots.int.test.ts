import { randomUUID } from 'node:crypto';
import { type DomainEvent, eventUpcasters, streams } from '@switchboard/contracts';
import { type AnyDecider, conversationDecider, foldState } from '@switchboard/domain';
import {
  connectEventStore,
  createEventStore,
  type EventData,
  type EventStore,
  migrate,
  type ReadStreamOptions,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateSnapshots, SnapshotStore } from './snapshots.js';
import { StreamStates } from './stream-states.js';

const decider = conversationDecider as unknown as AnyDecider;

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;

beforeEach(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  sql = connectEventStore(db.url, { max: 3 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
  await migrateSnapshots(sql);
});
afterEach(async () => {
  await store.close();
  await sql.end();
  await db.drop();
});

/** The store, counting the events read through it. */
function counting(inner: EventStore): { store: EventStore; read: () => number } {
  let read = 0;
  const wrapped = {
    readStream: async (stream: string, options?: ReadStreamOptions) => {
      const events = await inner.readStream(stream, options);
      read += events.length;
      return events;
    },
  };
  return { store: wrapped as unknown as EventStore, read: () => read };
}

/** A conversation of `messages` bot messages, appended straight to the store. */
async function conversation(messages: number): Promise<{ stream: string; events: DomainEvent[] }> {
  const clientId = randomUUID();
  const conversationId = randomUUID();
  const events: DomainEvent[] = [
    { type: 'ConversationStarted', data: { conversationId, clientId, userId: randomUUID(), kind: 'direct' } },
  ];
  for (let sequence = 1; sequence <= messages; sequence++) {
    events.push({
      type: 'MessagePosted',
      data: {
        messageId: randomUUID(),
        conversationId,
        clientId,
        sequence,
        authorId: null,
        authorKind: 'bot',
        payload: { type: 'text', text: `message ${sequence}` },
        payloadType: 'text',
        payloadKnown: true,
        source: 'api',
        collect: false,
        sentOn: new Date(1_700_000_000_000 + sequence).toISOString(),
      },
    });
  }
  const stream = streams.conversation(conversationId);
  for (let i = 0; i < events.length; i += 1_000) {
    const data: EventData[] = events.slice(i, i + 1_000).map((e) => ({ type: e.type, data: e.data }));
    await store.appendToStream(stream, data);
  }
  return { stream, events };
}

async function storedRevision(stream: string): Promise<string | undefined> {
  const [row] = await sql<{ revision: string }[]>`
    SELECT revision::text AS revision FROM command_handler.snapshots WHERE stream = ${stream}`;
  return row?.revision;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('snapshots of stream states', () => {
  it('given a long stream loaded once, when a cold cache loads it, then it reads only the events after its snapshot', async () => {
    const { stream, events } = await conversation(2_500);
    const snapshots = new SnapshotStore(sql, 1_000);
    const first = counting(store);
    const loaded = await new StreamStates(first.store, 10, { snapshots }).load(stream, decider);
    expect(first.read()).toBe(2_501);
    expect(loaded.state).toEqual(foldState(decider, events));
    await until('the snapshot', async () => (await storedRevision(stream)) === '2500');

    const cold = counting(store);
    const again = await new StreamStates(cold.store, 10, { snapshots }).load(stream, decider);

    // one page up to the snapshot interval, then only what follows the snapshot (nothing here)
    expect(cold.read()).toBe(1_000);
    expect(again).toEqual(loaded);
  });

  it('given a cached stream, when commands append to it, then a snapshot is taken every interval', async () => {
    const { stream, events } = await conversation(10);
    const snapshots = new SnapshotStore(sql, 5);
    const states = new StreamStates(store, 10, { snapshots });
    const loaded = await states.load(stream, decider);
    // 11 events folded since no snapshot: one is taken at revision 10
    await until('the first snapshot', async () => (await storedRevision(stream)) === '10');

    let state = loaded.state;
    let revision = loaded.revision!;
    for (let i = 0; i < 5; i++) {
      const posted = {
        ...events[1]!,
        data: { ...(events[1]!.data as object), sequence: 11 + i },
      } as DomainEvent;
      const appended = await store.appendToStream(stream, [{ type: posted.type, data: posted.data }], {
        expectedState: revision,
      });
      state = decider.evolve(state, posted);
      revision = appended.nextExpectedRevision;
      states.remember(stream, { state, revision, position: appended.position }, decider);
      if (i < 4) expect(await storedRevision(stream)).toBe('10');
    }
    await until('the next snapshot', async () => (await storedRevision(stream)) === '15');
  });

  it('ignores a snapshot taken before the stream was deleted, or by another evolve function', async () => {
    const { stream } = await conversation(249);
    const snapshots = new SnapshotStore(sql, 100);
    await new StreamStates(store, 10, { snapshots }).load(stream, decider);
    await until('the snapshot', async () => (await storedRevision(stream)) === '249');

    // soft-deleted, then written again: the old snapshot does not describe the stream's new life
    await store.deleteStream(stream);
    const reborn = (await conversation(149)).events;
    await store.appendToStream(
      stream,
      reborn.map((e) => ({ type: e.type, data: e.data })),
    );
    const afterDelete = counting(store);
    const loaded = await new StreamStates(afterDelete.store, 10, { snapshots }).load(stream, decider);
    expect(afterDelete.read()).toBe(150);
    expect(loaded.state).toEqual(foldState(decider, reborn));
    await until('a snapshot of the new life', async () => (await storedRevision(stream)) === '399');

    // a decider whose evolve differs does not take the stored state for its own
    const changed: AnyDecider = { ...decider, evolve: (s, e) => decider.evolve(s, e) };
    const other = counting(store);
    const byOther = await new StreamStates(other.store, 10, { snapshots }).load(stream, changed);
    expect(other.read()).toBe(150);
    expect(byOther.state).toEqual(foldState(decider, reborn));
  });
});
