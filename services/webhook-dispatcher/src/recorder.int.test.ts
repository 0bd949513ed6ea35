import { randomUUID } from 'node:crypto';
import { type Bus, connectBus, consumerSpecFor, eventsStream } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DURABLE } from './recorder.js';
import { migrateDispatch } from './schema.js';
import { type RunningWebhookDispatcher, startWebhookDispatcher } from './service.js';
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

describe('webhook recorder', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let bus: Bus;
  let sql: postgres.Sql;
  let store: EventStore;
  let receiver: Receiver;
  const running: RunningWebhookDispatcher[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    bus = await connectBus({ servers: nats.url, name: 'test', namespace: nats.namespace });
    await bus.ensureStream(eventsStream(bus.names));
    sql = connectEventStore(db.url, { max: 4 });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    await receiver.close();
    await store.close();
    await sql.end();
    await bus.close();
    await nats.close();
    await db.drop();
  });
  const start = async () => {
    const d = await startWebhookDispatcher(testConfig(db.url, nats.url, nats.namespace), quietLogger());
    running.push(d);
    return d;
  };
  const newClient = async (url = receiver.url) => {
    const clientId = randomUUID();
    const webhookId = randomUUID();
    await appendAndRelay(store, bus, clientId, `client-${clientId}`, [
      { type: 'ClientCreated', data: { clientId, tokenHash: 'a'.repeat(64) } },
      { type: 'WebhookAdded', data: { clientId, webhookId, url, sealedToken: box.encrypt('t') } },
    ]);
    return { clientId, webhookId, url };
  };
  const removeWebhook = async (hook: { clientId: string; webhookId: string; url: string }) => {
    await appendAndRelay(store, bus, hook.clientId, `client-${hook.clientId}`, [
      { type: 'WebhookRemoved', data: hook },
    ]);
  };
  const newUser = async (clientId: string) => {
    const userId = randomUUID();
    await appendAndRelay(store, bus, clientId, `user-${userId}`, [
      { type: 'UserCreated', data: { userId, clientId } },
    ]);
    return userId;
  };

  it('reads from the stream what arrives out of turn, so nothing is skipped', async () => {
    const { clientId } = await newClient(); // seq 1, 2
    const users = [await newUser(clientId), await newUser(clientId), await newUser(clientId)]; // seq 3, 4, 5
    // Another replica took 1..4 and died after acknowledging them, before recording them.
    const spec = consumerSpecFor({
      stream: bus.names.streams.events,
      durable: DEFAULT_DURABLE,
      maxDeliver: -1,
      ackWaitMs: 60_000,
      concurrency: 64,
      maxAckPending: 128,
      handler: async () => ({ kind: 'ack' }),
    });
    await bus.ensureConsumer(bus.names.streams.events, spec);
    const consumer = await bus.js.consumers.get(bus.names.streams.events, DEFAULT_DURABLE);
    const taken = await consumer.fetch({ max_messages: 4, expires: 2_000 });
    let acked = 0;
    for await (const m of taken) {
      await m.ackAck();
      if (++acked === 4) break;
    }
    await migrateDispatch(sql);
    await sql`INSERT INTO dispatch.recorder_checkpoints (stream, last_sequence) VALUES (${bus.names.streams.events}, 0)`;

    const d = await start();
    await eventually('three user.new', () => (receiver.requests.length >= 3 ? true : undefined));
    expect(receiver.requests.map((r) => r.body.data.userId)).toEqual(users);
    expect(d.recordedCount()).toBe(5);
    const [cp] = await sql<
      { last_sequence: string }[]
    >`SELECT last_sequence FROM dispatch.recorder_checkpoints`;
    expect(cp?.last_sequence).toBe('5');
  });

  it('records with one replica at a time; a standby takes over when the leader stops', async () => {
    const { clientId } = await newClient();
    const a = await start();
    const b = await start();
    await eventually('a leader and a standby', () =>
      [a.recorderRole(), b.recorderRole()].sort().join() === 'leader,standby' ? true : undefined,
    );
    const [leader, standby] = a.recorderRole() === 'leader' ? [a, b] : [b, a];
    await newUser(clientId);
    await eventually('the first user.new', () => (receiver.requests.length === 1 ? true : undefined));
    await leader.stop();
    running.splice(running.indexOf(leader), 1);
    await eventually('the standby leads', () => (standby.recorderRole() === 'leader' ? true : undefined));
    await newUser(clientId);
    await eventually('the second user.new', () => (receiver.requests.length === 2 ? true : undefined));
    expect(new Set(receiver.requests.map((r) => r.body.id)).size).toBe(2);
    expect(standby.recordedCount()).toBeGreaterThanOrEqual(1);
    expect((await standby.ready()).recorder).toBe(true);
  });

  it('takes over with the webhooks as the leader left them, not as they were when it started', async () => {
    const other = await startReceiver();
    try {
      const leaving = await newClient(other.url);
      const leader = await start();
      await eventually('the leader', () => (leader.recorderRole() === 'leader' ? true : undefined));
      await newUser(leaving.clientId);
      await eventually('the user.new of the webhook to be removed', () =>
        other.requests.length === 1 ? true : undefined,
      );
      // The standby starts knowing one webhook; while it stands by, that one goes and another comes.
      const standby = await start();
      await eventually('a standby', () => (standby.recorderRole() === 'standby' ? true : undefined));
      await removeWebhook(leaving);
      const { clientId } = await newClient();
      await newUser(clientId);
      await eventually('the first user.new', () => (receiver.requests.length === 1 ? true : undefined));

      await leader.stop();
      running.splice(running.indexOf(leader), 1);
      await eventually('the standby leads', () => (standby.recorderRole() === 'leader' ? true : undefined));
      await newUser(leaving.clientId);
      await newUser(clientId);
      await eventually('the second user.new', () => (receiver.requests.length === 2 ? true : undefined));
      expect(other.requests).toHaveLength(1);
      const [toRemoved] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM dispatch.deliveries WHERE webhook_id = ${leaving.webhookId}`;
      expect(toRemoved?.n).toBe(1);
    } finally {
      await other.close();
    }
  });
});
