import { randomUUID } from 'node:crypto';
import { type Bus, connectBus, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  type RecordedEvent,
} from '@switchboard/event-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DispatcherConfig } from './config.js';
import { type RunningWebhookDispatcher, startWebhookDispatcher } from './service.js';
import {
  type Answer,
  appendAndRelay,
  quietLogger,
  type ReceivedRequest,
  type Receiver,
  SECRETS_KEY,
  startReceiver,
  testConfig,
} from './test-support.js';

export interface Conversation {
  userId: string;
  conversationId: string;
}

/**
 * What the dispatcher's in-process tests share, registered on the enclosing `describe`: a database and
 * a NATS namespace for the suite, dispatchers and receivers stopped after each test, and the events a
 * client's backend would cause (a client with webhooks, a conversation, a message).
 */
export function dispatcherTestbed() {
  const box = new SecretBox(SECRETS_KEY);
  let db: TestDatabase;
  let nats: TestNats;
  let bus: Bus;
  let sql: postgres.Sql;
  let store: EventStore;
  const running: RunningWebhookDispatcher[] = [];
  const receivers: Receiver[] = [];
  const sequences = new Map<string, number>();

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    bus = await connectBus({ servers: nats.url, name: 'test', namespace: nats.namespace });
    await bus.ensureStream(eventsStream(bus.names));
    sql = connectEventStore(db.url, { max: 4 });
    store = createEventStore({ sql, upcasters: eventUpcasters });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await store.close();
    await sql.end();
    await bus.close();
    await nats.close();
    await db.drop();
  });

  return {
    get sql() {
      return sql;
    },
    get bus() {
      return bus;
    },
    get store() {
      return store;
    },
    box,
    async start(overrides: Partial<DispatcherConfig> = {}) {
      const d = await startWebhookDispatcher(
        testConfig(db.url, nats.url, nats.namespace, overrides),
        quietLogger(),
      );
      running.push(d);
      return d;
    },
    /** Stops a dispatcher before the test ends (a restart). */
    async stop(d: RunningWebhookDispatcher) {
      running.splice(running.indexOf(d), 1);
      await d.stop();
    },
    async receiver(answer?: (req: ReceivedRequest) => Answer) {
      const r = await startReceiver(answer);
      receivers.push(r);
      return r;
    },
    /** A client with webhooks at the given URLs; returns their ids and clear tokens. */
    async newClient(urls: string[]) {
      const clientId = randomUUID();
      const hooks = urls.map((url) => ({ webhookId: randomUUID(), url, token: `tok-${randomUUID()}` }));
      await appendAndRelay(store, bus, clientId, `client-${clientId}`, [
        { type: 'ClientCreated', data: { clientId, tokenHash: 'a'.repeat(64) } },
        ...hooks.map((h) => ({
          type: 'WebhookAdded',
          data: { clientId, webhookId: h.webhookId, url: h.url, sealedToken: box.encrypt(h.token) },
        })),
      ]);
      return { clientId, hooks };
    },
    async newConversation(clientId: string): Promise<Conversation> {
      const userId = randomUUID();
      const conversationId = randomUUID();
      await appendAndRelay(store, bus, clientId, `user-${userId}`, [
        { type: 'UserCreated', data: { userId, clientId } },
      ]);
      await appendAndRelay(store, bus, clientId, `conversation-${conversationId}`, [
        { type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } },
      ]);
      return { userId, conversationId };
    },
    /** A user's text message in the conversation, numbered after the previous one. */
    async post(clientId: string, c: Conversation, text: string): Promise<RecordedEvent> {
      const sequence = (sequences.get(c.conversationId) ?? 0) + 1;
      sequences.set(c.conversationId, sequence);
      const [event] = await appendAndRelay(store, bus, clientId, `conversation-${c.conversationId}`, [
        {
          type: 'MessagePosted',
          data: {
            messageId: randomUUID(),
            conversationId: c.conversationId,
            clientId,
            sequence,
            authorId: c.userId,
            authorKind: 'user',
            payload: { type: 'text', text },
            payloadType: 'text',
            payloadKnown: true,
            source: 'api',
            collect: false,
            sentOn: new Date().toISOString(),
          },
        },
      ]);
      return event!;
    },
  };
}

/** The texts of the `message.new` a receiver got, of one conversation or of all, in arrival order. */
export function messagesOf(r: Receiver, conversationId?: string): string[] {
  return r.requests
    .filter(
      (q) =>
        q.body.type === 'message.new' &&
        (conversationId === undefined || q.body.data.conversationId === conversationId),
    )
    .map((q) => String((q.body.data.message as { payload?: { text?: string } }).payload?.text));
}
