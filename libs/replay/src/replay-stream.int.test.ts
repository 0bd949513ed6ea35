import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import { conversationDecider, foldState } from '@switchboard/domain';
import { createEventStore, type EventStore, migrate, StreamNotFoundError } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayStream, UnknownStreamCategoryError } from './replay-stream.js';

describe('replayStream', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let store: EventStore;
  const clientId = randomUUID();
  const userId = randomUUID();
  const conversationId = randomUUID();
  const stream = `conversation-${conversationId}`;
  const posted = (sequence: number) => ({
    type: 'MessagePosted',
    data: {
      messageId: randomUUID(),
      conversationId,
      clientId,
      sequence,
      authorId: userId,
      authorKind: 'user',
      payload: { type: 'text', text: `m${sequence}` },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      collect: false,
      sentOn: new Date().toISOString(),
    },
  });
  const events = [
    { type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } },
    posted(1),
    posted(2),
    { type: 'MessageRemoved', data: { messageId: randomUUID(), conversationId, clientId, sequence: 1 } },
    posted(3),
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url);
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    // one append per event, so each has its own time
    for (const event of events) await store.appendToStream(stream, [event]);
  });
  afterAll(async () => {
    await store.close();
    await sql.end();
    await db.drop();
  });

  it('folds the state at each revision exactly as the decider does over that prefix', async () => {
    for (let revision = 0; revision < events.length; revision++) {
      const replay = await replayStream(store, stream, { at: { revision: BigInt(revision) } });
      expect(replay.revision).toBe(BigInt(revision));
      expect(replay.state).toEqual(foldState(conversationDecider, events.slice(0, revision + 1) as never));
    }
    const whole = await replayStream(store, stream);
    expect(whole.state).toMatchObject({ status: 'active', lastSequence: 3, removedSinceCleared: 1 });
  });

  it('gives each step with the state after it', async () => {
    const { steps } = await replayStream(store, stream, { steps: true });
    expect(steps.map((s) => s.event.type)).toEqual(events.map((e) => e.type));
    expect(steps[2]!.state).toMatchObject({ lastSequence: 2 });
  });

  it('replays up to a point in time', async () => {
    const recorded = await store.readStream(stream);
    const at = recorded[1]!.created;
    const replay = await replayStream(store, stream, { at: { time: at } });
    // the last event recorded at or before that instant (two appends may share a millisecond)
    const expected = recorded.filter((e) => e.created.getTime() <= at.getTime()).at(-1)!.revision;
    expect(replay.revision).toBe(expected);
    expect(expected).toBeGreaterThanOrEqual(1n);
    const before = await replayStream(store, stream, {
      at: { time: new Date(recorded[0]!.created.getTime() - 1) },
    });
    expect(before).toMatchObject({ revision: null, state: { status: 'none' } });
  });

  it('names what it cannot replay', async () => {
    await expect(replayStream(store, `conversation-${randomUUID()}`)).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
    await expect(replayStream(store, 'widget-1')).rejects.toBeInstanceOf(UnknownStreamCategoryError);
  });
});
