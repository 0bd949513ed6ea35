import { randomUUID } from 'node:crypto';
import { type Bus, connectBus, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DispatcherConfig } from './config.js';
import { getDelivery, listDeliveries, redriveDeliveries } from './deliveries-admin.js';
import { type RunningWebhookDispatcher, startWebhookDispatcher } from './service.js';
import { verifySignatureHeader } from './signature.js';
import {
  appendAndRelay,
  eventually,
  quietLogger,
  type Receiver,
  SECRETS_KEY,
  startReceiver,
  testConfig,
} from './test-support.js';

const box = new SecretBox(SECRETS_KEY);

describe('webhook dispatcher (in-process, real NATS and PostgreSQL)', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let bus: Bus;
  let sql: postgres.Sql;
  let store: EventStore;
  const running: RunningWebhookDispatcher[] = [];
  const receivers: Receiver[] = [];

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

  const start = async (overrides: Partial<DispatcherConfig> = {}) => {
    const d = await startWebhookDispatcher(
      testConfig(db.url, nats.url, nats.namespace, overrides),
      quietLogger(),
    );
    running.push(d);
    return d;
  };
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  /** A client with webhooks at the given URLs; returns their ids and clear tokens. */
  const newClient = async (urls: string[]) => {
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
  };
  const newConversation = async (clientId: string) => {
    const userId = randomUUID();
    const conversationId = randomUUID();
    await appendAndRelay(store, bus, clientId, `user-${userId}`, [
      { type: 'UserCreated', data: { userId, clientId } },
    ]);
    await appendAndRelay(store, bus, clientId, `conversation-${conversationId}`, [
      { type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } },
    ]);
    return { userId, conversationId };
  };
  let sequences = new Map<string, number>();
  const post = async (clientId: string, c: { userId: string; conversationId: string }, text: string) => {
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
  };
  const messagesOf = (r: Receiver, conversationId: string) =>
    r.requests
      .filter((q) => q.body.type === 'message.new' && q.body.data.conversationId === conversationId)
      .map((q) => (q.body.data.message as { payload: { text: string } }).payload.text);

  it('delivers each event once per webhook, signed, in order per conversation', async () => {
    sequences = new Map();
    const a = await receiver();
    const b = await receiver();
    const { clientId, hooks } = await newClient([a.url, b.url]);
    await start();
    const convs = [
      await newConversation(clientId),
      await newConversation(clientId),
      await newConversation(clientId),
    ];
    const expected = new Map<string, string[]>();
    for (let i = 0; i < 15; i++) {
      for (const c of convs) {
        await post(clientId, c, `m${i}`);
        expected.set(c.conversationId, [...(expected.get(c.conversationId) ?? []), `m${i}`]);
      }
    }
    // user.new ×3 + conversation.started ×3 + 45 messages, to each webhook
    await eventually('every delivery', () =>
      a.requests.length >= 51 && b.requests.length >= 51 ? true : undefined,
    );
    for (const r of [a, b]) {
      for (const c of convs) expect(messagesOf(r, c.conversationId)).toEqual(expected.get(c.conversationId));
      expect(new Set(r.requests.map((q) => q.headers['x-switchboard-event-id'])).size).toBe(51);
    }
    const sample = a.requests.find((q) => q.body.type === 'message.new')!;
    const token = hooks[0]!.token;
    expect(sample.headers['x-bp-messaging-client-id']).toBe(clientId);
    expect(sample.headers['x-bp-messaging-webhook-token']).toBe(token);
    expect(sample.headers['x-switchboard-event-id']).toBe(sample.body.id);
    const signature = String(sample.headers['x-switchboard-signature']);
    expect(signature).toContain(`t=${sample.headers['x-switchboard-timestamp']},v1=`);
    expect(verifySignatureHeader(token, signature, sample.rawBody, Math.floor(Date.now() / 1000))).toBe(true);
    expect(
      verifySignatureHeader(hooks[1]!.token, signature, sample.rawBody, Math.floor(Date.now() / 1000)),
    ).toBe(false);
  });

  it('delivers to a webhook only what happens while it exists', async () => {
    sequences = new Map();
    const first = await receiver();
    const later = await receiver();
    const { clientId, hooks } = await newClient([first.url]);
    await start();
    const c = await newConversation(clientId);
    await post(clientId, c, 'before');
    await eventually('the first webhook gets the first message', () =>
      messagesOf(first, c.conversationId).length === 1 ? true : undefined,
    );
    const laterId = randomUUID();
    await appendAndRelay(store, bus, clientId, `client-${clientId}`, [
      {
        type: 'WebhookAdded',
        data: { clientId, webhookId: laterId, url: later.url, sealedToken: box.encrypt('later-token') },
      },
      { type: 'WebhookRemoved', data: { clientId, webhookId: hooks[0]!.webhookId, url: first.url } },
    ]);
    const after = await post(clientId, c, 'after');
    await eventually('the later webhook gets the message posted after it was added', () =>
      messagesOf(later, c.conversationId).length === 1 ? true : undefined,
    );
    expect(messagesOf(later, c.conversationId)).toEqual(['after']);
    expect(later.requests.map((q) => q.body.type)).toEqual(['message.new']);
    expect(messagesOf(first, c.conversationId)).toEqual(['before']);
    const toRemoved = await sql`
      SELECT 1 FROM dispatch.deliveries WHERE webhook_id = ${hooks[0]!.webhookId} AND event_id = ${after.id}`;
    expect(toRemoved).toHaveLength(0);
  });

  it('retries 5xx as Retry-After asks, fails a 4xx at once, and goes on with the conversation', async () => {
    sequences = new Map();
    let calls = 0;
    const r = await receiver((req) => {
      if (req.body.type !== 'message.new') return { status: 200 };
      const text = (req.body.data.message as { payload: { text: string } }).payload.text;
      if (text === 'flaky') {
        calls++;
        if (calls === 1) return { status: 503, headers: { 'retry-after': '1' } };
        if (calls <= 3) return { status: 500 };
        return { status: 200 };
      }
      if (text === 'rejected') return { status: 400 };
      return { status: 200 };
    });
    const { clientId } = await newClient([r.url]);
    await start();
    const c = await newConversation(clientId);
    const flaky = await post(clientId, c, 'flaky');
    const rejected = await post(clientId, c, 'rejected');
    await post(clientId, c, 'last');
    await eventually('the last message', () =>
      messagesOf(r, c.conversationId).includes('last') ? true : undefined,
    );
    // In order: the flaky one's four attempts, then the rejected one once, then the last one.
    expect(messagesOf(r, c.conversationId)).toEqual(['flaky', 'flaky', 'flaky', 'flaky', 'rejected', 'last']);

    const [delivered] = await listDeliveries(sql, { clientId, status: 'delivered', limit: 10 }).then((all) =>
      all.filter((d) => d.eventId === flaky.id),
    );
    const detail = await getDelivery(sql, delivered!.id);
    expect(detail?.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'retry'],
      [4, 200, 'delivered'],
    ]);
    const times = detail!.attempts.map((a) => a.startedAt.getTime());
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000); // Retry-After: 1
    const [failed] = (await listDeliveries(sql, { clientId, status: 'failed' })).filter(
      (d) => d.eventId === rejected.id,
    );
    expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 400 });
  });

  it('dead-letters after the retry window and delivers again when re-driven', async () => {
    sequences = new Map();
    let up = false;
    const r = await receiver((req) =>
      up || req.body.type !== 'message.new' ? { status: 200 } : { status: 502 },
    );
    const { clientId, hooks } = await newClient([r.url]);
    await start({ WEBHOOK_RETRY_WINDOW_MS: 500 });
    const c = await newConversation(clientId);
    const m = await post(clientId, c, 'lost?');
    const dead = await eventually('the dead letter', async () => {
      const found = await listDeliveries(sql, { clientId, status: 'dead' });
      return found.find((d) => d.eventId === m.id);
    });
    expect(dead.attemptCount).toBeGreaterThanOrEqual(2);
    expect((await getDelivery(sql, dead.id))?.attempts.at(-1)?.outcome).toBe('dead');

    up = true;
    const redriven = await redriveDeliveries(sql, { filter: { webhookId: hooks[0]!.webhookId } }, 60_000);
    expect(redriven).toContain(dead.id);
    await eventually('the re-driven delivery', async () => {
      const d = await getDelivery(sql, dead.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(r.requests.at(-1)?.body.id).toBe(m.id);
  });

  it('keeps delivering to other webhooks while one hangs', async () => {
    sequences = new Map();
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const slow = await newClient([hanging.url]);
    const fine = await newClient([healthy.url]);
    await start({
      WEBHOOK_TIMEOUT_MS: 3_000,
      WEBHOOK_MAX_IN_FLIGHT: 8,
      WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK: 2,
    });
    const slowConvs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => newConversation(slow.clientId)));
    for (const c of slowConvs) await post(slow.clientId, c, 'stuck');
    const c = await newConversation(fine.clientId);
    const startedAt = Date.now();
    for (let i = 0; i < 10; i++) await post(fine.clientId, c, `ok${i}`);
    await eventually('the healthy webhook', () =>
      messagesOf(healthy, c.conversationId).length === 10 ? true : undefined,
    );
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    // The hanging webhook holds no more than its share of attempts.
    expect(hanging.hanging).toBeLessThanOrEqual(2);
  });

  it('finishes the attempt in flight when stopped, and a restart loses nothing', async () => {
    sequences = new Map();
    const r = await receiver((req) => {
      const text = (req.body.data.message as { payload?: { text?: string } } | undefined)?.payload?.text;
      return { status: 200, delayMs: text === 'n5' ? 500 : 0 };
    });
    const { clientId } = await newClient([r.url]);
    const first = await start();
    const c = await newConversation(clientId);
    for (let i = 0; i < 20; i++) await post(clientId, c, `n${i}`);
    await eventually('n5 in flight', () =>
      messagesOf(r, c.conversationId).includes('n5') ? true : undefined,
    );
    await first.stop();
    running.splice(running.indexOf(first), 1);
    // The attempt in flight was finished and recorded; nothing after it was started.
    const [n5] = await sql<{ status: string; attempt_count: number }[]>`
      SELECT d.status, d.attempt_count FROM dispatch.deliveries d JOIN dispatch.events e ON e.id = d.event_id
      WHERE d.client_id = ${clientId} AND e.body LIKE '%"text":"n5"%'`;
    expect(n5).toEqual({ status: 'delivered', attempt_count: 1 });
    expect(messagesOf(r, c.conversationId).at(-1)).toBe('n5');

    for (let i = 20; i < 40; i++) await post(clientId, c, `n${i}`);
    await start();
    const want = Array.from({ length: 40 }, (_, i) => `n${i}`);
    await eventually('all 40 after the restart', () =>
      messagesOf(r, c.conversationId).length >= 40 ? true : undefined,
    );
    // Exactly once and in order: the drain left nothing half done.
    expect(messagesOf(r, c.conversationId)).toEqual(want);
  });

  it('refuses private addresses unless allowed', async () => {
    sequences = new Map();
    const r = await receiver();
    const { clientId } = await newClient([r.url, 'http://localhost:9/hook']);
    await start({ WEBHOOKS_ALLOW_PRIVATE: false });
    await newConversation(clientId);
    const failed = await eventually('both refusals', async () => {
      const found = await listDeliveries(sql, { clientId, status: 'failed' });
      return found.length >= 4 ? found : undefined;
    });
    expect(failed.map((d) => d.lastError).join('\n')).toMatch(
      /127\.0\.0\.1 is a private or reserved address/,
    );
    expect(failed.map((d) => d.lastError).join('\n')).toMatch(/localhost refused: (127\.0\.0\.1|::1)/);
    expect(r.requests).toHaveLength(0);
  });
});
