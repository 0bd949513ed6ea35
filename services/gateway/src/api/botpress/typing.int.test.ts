import { randomUUID } from 'node:crypto';
import { parseTypingSignal, type TypingSignal } from '@switchboard/contracts';
import { hashToken } from '@switchboard/crypto';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../service.js';
import { startTestGateway } from '../../test-gateway.js';

/**
 * Typing through the Botpress dialect: published on core NATS as a signal, answered like a message,
 * never stored. No command handler runs here, so a request that tried to post a message could only
 * answer 503: every 201 below was answered without one.
 */
describe('Botpress typing payloads', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let sql: postgres.Sql;
  let gateway: RunningGateway;
  let subscription: ReturnType<TestNats['nc']['subscribe']>;
  let received: TypingSignal[] = [];
  const client = { id: randomUUID(), token: 'typing-test-token' };
  const other = { id: randomUUID(), token: 'other-test-token' };
  const userId = randomUUID();
  const conversationId = randomUUID();
  const othersConversation = randomUUID();

  const call = (path: string, body: unknown, who = client) =>
    fetch(`${gateway.url}/api/v1${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-bp-messaging-client-id': who.id,
        'x-bp-messaging-client-token': who.token,
      },
      body: JSON.stringify(body),
    });

  /** The next signal received, which must be `expected`: anything published before it would come first. */
  const nextSignal = async () => {
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return received.shift();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    gateway = await startTestGateway(db, nats);
    for (const c of [client, other]) {
      await sql`INSERT INTO rm.clients (id, token_hash, created_at, updated_at)
        VALUES (${c.id}, ${hashToken(c.token)}, now(), now())`;
    }
    await sql`INSERT INTO rm.users (id, client_id, created_at) VALUES (${userId}, ${client.id}, now())`;
    await sql`INSERT INTO rm.conversations (id, client_id, user_id, created_at, last_activity_at) VALUES
      (${conversationId}, ${client.id}, ${userId}, now(), now()),
      (${othersConversation}, ${other.id}, ${randomUUID()}, now(), now())`;
    subscription = nats.nc.subscribe(`${nats.namespace}.sig.*.conversation.*.typing`);
    void (async () => {
      for await (const msg of subscription) {
        const signal = parseTypingSignal(msg.string());
        expect(signal, msg.string()).toBeDefined();
        expect(msg.subject).toBe(
          `${nats.namespace}.sig.${client.id}.conversation.${signal?.conversationId}.typing`,
        );
        if (signal) received.push(signal);
      }
    })();
    await nats.nc.flush();
  });
  beforeEach(() => {
    received = [];
  });
  afterAll(async () => {
    subscription?.unsubscribe();
    await gateway?.stop();
    await sql?.end();
    await nats?.close();
    await db?.drop();
  });

  it('publishes the bot typing and answers a message that is not stored', async () => {
    const res = await call('/messages', { conversationId, payload: { type: 'typing', value: true } });
    expect(res.status).toBe(201);
    const message = (await res.json()) as { id: string; conversationId: string; payload: unknown };
    expect(message).toMatchObject({ conversationId, payload: { type: 'typing', value: true } });
    expect(await nextSignal()).toEqual({ conversationId, authorId: null, typing: true });
    const stored = await fetch(`${gateway.url}/api/v1/messages/${message.id}`, {
      headers: { 'x-bp-messaging-client-id': client.id, 'x-bp-messaging-client-token': client.token },
    });
    expect(stored.status).toBe(404);
  });

  it('reads the value as on (true, a delay, absent) or off (false, 0)', async () => {
    const cases: [unknown, boolean][] = [
      [false, false],
      [1500, true],
      [0, false],
      [undefined, true],
    ];
    for (const [value, typing] of cases) {
      const payload = value === undefined ? { type: 'typing' } : { type: 'typing', value };
      expect((await call('/messages', { conversationId, payload })).status).toBe(201);
      expect(await nextSignal(), String(value)).toEqual({ conversationId, authorId: null, typing });
    }
  });

  it("publishes a user's typing with its author", async () => {
    const res = await call('/messages', { conversationId, authorId: userId, payload: { type: 'typing' } });
    expect(res.status).toBe(201);
    expect(await nextSignal()).toEqual({ conversationId, authorId: userId, typing: true });
  });

  it("refuses a value that is neither, another tenant's conversation and an unknown author, publishing nothing", async () => {
    const refusals: [unknown, number, RegExp][] = [
      [{ conversationId, payload: { type: 'typing', value: 'soon' } }, 400, /payload\.value/],
      [{ conversationId, payload: { type: 'typing', value: -5 } }, 400, /payload\.value/],
      [{ conversationId: othersConversation, payload: { type: 'typing' } }, 404, /conversation/],
      [{ conversationId: randomUUID(), payload: { type: 'typing' } }, 404, /conversation/],
      [{ conversationId, authorId: randomUUID(), payload: { type: 'typing' } }, 404, /author/],
    ];
    for (const [body, status, message] of refusals) {
      const res = await call('/messages', body);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    // The signal after them is the first one published.
    expect(
      (await call('/messages', { conversationId, payload: { type: 'typing', value: false } })).status,
    ).toBe(201);
    expect(await nextSignal()).toEqual({ conversationId, authorId: null, typing: false });
  });

  it('answers a collected typing payload with no replies', async () => {
    const res = await call('/messages/collect', {
      conversationId,
      payload: { type: 'typing' },
      timeout: 10_000,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    expect(await nextSignal()).toEqual({ conversationId, authorId: null, typing: true });
  });

  it('publishes typing before a message that says it is typed', async () => {
    // Its message goes on to the command handler, absent here: the signal went first.
    const res = await call('/messages', {
      conversationId,
      payload: { type: 'text', text: 'hi', typing: true },
    });
    expect(res.status).toBe(503);
    expect(await nextSignal()).toEqual({ conversationId, authorId: null, typing: true });
  });
});
