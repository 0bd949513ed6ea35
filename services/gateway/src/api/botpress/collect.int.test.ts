import { randomUUID } from 'node:crypto';
import { eventUpcasters, type MessagePostedData, streams } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventData,
  type EventStore,
  migrate,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReplies } from './collect.js';

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  sql = connectEventStore(db.url, { max: 3 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
});
afterAll(async () => {
  await store.close();
  await sql.end();
  await db.drop();
});

/** A conversation written straight to the store, a message at a time, as its decider would. */
function conversation() {
  const clientId = randomUUID();
  const conversationId = randomUUID();
  let sequence = 0;
  const events: EventData[] = [];
  const posted = (
    authorId: string | null,
    text: string,
    incomingId?: string,
    messageId: string = randomUUID(),
  ) => {
    const data: MessagePostedData = {
      messageId,
      conversationId,
      clientId,
      sequence: ++sequence,
      authorId,
      authorKind: authorId ? 'user' : 'bot',
      payload: { type: 'text', text },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      ...(incomingId ? { incomingId } : {}),
      collect: false,
      sentOn: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    };
    events.push({ type: 'MessagePosted', data });
    return data.messageId;
  };
  return {
    clientId,
    conversationId,
    user: (text: string, messageId?: string) => posted(randomUUID(), text, undefined, messageId),
    reply: (to: string, text: string) => posted(null, text, to),
    remove: (messageId: string) =>
      events.push({
        type: 'MessageRemoved',
        data: { messageId, conversationId, clientId, sequence: ++sequence },
      }),
    clear: () =>
      events.push({
        type: 'MessagesCleared',
        data: { conversationId, clientId, upToSequence: sequence, count: sequence },
      }),
    save: () => store.appendToStream(streams.conversation(conversationId), events.splice(0)),
  };
}

const texts = (replies: { payload: Record<string, unknown> }[]) => replies.map((r) => r.payload.text);

describe('readReplies', () => {
  it('given replies spread over more than a page of events, when read, then every reply comes in order', async () => {
    const c = conversation();
    const question = c.user('question');
    const other = c.user('another question');
    for (let i = 0; i < 300; i++) {
      c.reply(question, `answer ${i}`);
      c.reply(other, `not this one ${i}`);
    }
    await c.save();

    const replies = await readReplies(store, c.clientId, c.conversationId, question);
    expect(texts(replies)).toEqual(Array.from({ length: 300 }, (_, i) => `answer ${i}`));
    expect(replies[0]).toMatchObject({ conversationId: c.conversationId, authorId: null });
    expect(replies[0]?.sentOn).toBeInstanceOf(Date);
  });

  it('given a long history before the question, when read, then it stops at the question', async () => {
    const c = conversation();
    const question = randomUUID();
    // An answer before its question cannot happen; here it would show a read that went past the question.
    c.reply(question, 'before the question');
    for (let i = 0; i < 400; i++) c.user(`old ${i}`);
    c.user('question', question);
    c.reply(question, 'answer');
    await c.save();

    expect(texts(await readReplies(store, c.clientId, c.conversationId, question))).toEqual(['answer']);
  });

  it('given a deleted reply and a clear, when read, then only replies still present come', async () => {
    const c = conversation();
    const question = c.user('question');
    c.reply(question, 'cleared');
    c.clear();
    c.reply(question, 'kept');
    const withdrawn = c.reply(question, 'withdrawn');
    c.remove(withdrawn);
    c.reply(question, 'also kept');
    await c.save();

    expect(texts(await readReplies(store, c.clientId, c.conversationId, question))).toEqual([
      'kept',
      'also kept',
    ]);
  });

  it('given replies written by another client, when read, then they are not returned', async () => {
    const c = conversation();
    const question = c.user('question');
    c.reply(question, 'ours');
    await c.save();

    expect(await readReplies(store, randomUUID(), c.conversationId, question)).toEqual([]);
  });
});
