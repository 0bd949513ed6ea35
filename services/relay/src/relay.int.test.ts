import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { createLogger } from '@switchboard/telemetry';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint.js';
import type { RelayConfig } from './config.js';
import { type RunningRelay, startRelay } from './service.js';
import {
  allEvents,
  appendEvents,
  awaitPublished,
  eventually,
  type PublishedMessage,
} from './test-support.js';

const logger = createLogger('relay-test', 'silent');

let db: TestDatabase;
let nats: TestNats;
let sql: postgres.Sql;
let store: EventStore;
let eventsStreamName: string;
const relays: RunningRelay[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  sql = connectEventStore(db.url, { max: 2 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
  eventsStreamName = `${nats.namespace.toUpperCase()}_EVENTS`;
});
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop();
  await store.close();
  await sql.end();
  await nats.close();
  await db.drop();
});

async function relay(overrides: Partial<RelayConfig> = {}): Promise<RunningRelay> {
  const running = await startRelay(
    {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: 0,
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: 4,
      RELAY_BATCH_SIZE: 7, // small, so that a run spans several batches and checkpoints
      LEADER_RETRY_MS: 100,
      LAG_LOG_INTERVAL_MS: 10_000,
      ...overrides,
    },
    logger,
  );
  relays.push(running);
  return running;
}

const leaderOf = (relay: RunningRelay) =>
  eventually('a leader', async () => (relay.role() === 'leader' ? relay : undefined));

/** The stream holds every stored event once, in `$all` order, under its id. */
async function expectEveryEventOnce(messages: PublishedMessage[]): Promise<void> {
  const events = await allEvents(store);
  const relayed = messages.filter((m) => m.msgId !== undefined && !m.msgId.startsWith('redrive:'));
  expect(relayed.map((m) => m.msgId)).toEqual(events.map((e) => e.id));
}

describe('relay', () => {
  it('publishes every event in $all order, under its subject, with its id and trace', async () => {
    const tenant = randomUUID();
    await appendEvents(store, tenant, 30);
    const running = await relay();
    await appendEvents(store, tenant, 20);

    const messages = await awaitPublished(nats.nc, eventsStreamName, 50);
    await expectEveryEventOnce(messages);
    const events = await allEvents(store);
    messages.forEach((message, i) => {
      const event = events[i]!;
      const streamId = event.streamName.slice('conversation-'.length);
      expect(message.subject).toBe(`${nats.namespace}.evt.${tenant}.conversation.${streamId}.MessagePosted`);
      expect(message.traceparent).toBe(event.metadata.traceparent);
      expect(message.body).toEqual({
        id: event.id,
        type: event.type,
        streamName: event.streamName,
        revision: event.revision.toString(),
        position: { commit: event.position.commit.toString(), prepare: event.position.prepare.toString() },
        data: event.data,
        metadata: event.metadata,
        created: event.created.toISOString(),
      });
    });
    const last = events[events.length - 1]!;
    await eventually('the checkpoint at the last event', async () => {
      const checkpoint = await readCheckpoint(sql, eventsStreamName);
      return checkpoint?.eventId === last.id ? checkpoint : undefined;
    });
    expect(await readCheckpoint(sql, eventsStreamName)).toEqual({
      position: last.position,
      eventId: last.id,
    });
    expect(await running.ready()).toEqual({ nats: true, database: true, relay: true, leader: true });
  });

  it('resumes after a restart and after a crash between publishing and checkpointing, without repeats or gaps', async () => {
    const tenant = randomUUID();
    await appendEvents(store, tenant, 12);
    const first = await relay();
    await awaitPublished(nats.nc, eventsStreamName, 12);
    await first.stop();
    relays.splice(relays.indexOf(first), 1);
    expect(first.publishedCount()).toBe(12);

    // A plain restart, with events appended while no relay ran.
    await appendEvents(store, tenant, 5);
    const second = await relay();
    await awaitPublished(nats.nc, eventsStreamName, 17);
    expect(second.publishedCount()).toBe(5);
    await second.stop();
    relays.splice(relays.indexOf(second), 1);

    // A crash after the last batch was published but before its checkpoint: the checkpoint lags.
    const events = await allEvents(store);
    const early = events[3]!;
    await sql`
      UPDATE relay.checkpoints SET commit = ${early.position.commit.toString()}::numeric,
        prepare = ${early.position.prepare.toString()}::bigint, event_id = ${early.id}::uuid`;
    await appendEvents(store, tenant, 6);
    const third = await relay();
    const messages = await awaitPublished(nats.nc, eventsStreamName, 23);
    await expectEveryEventOnce(messages);
    // Not re-sent either (inside the duplicate window the server would have hidden a re-send).
    expect(third.publishedCount()).toBe(6);

    // And with no checkpoint at all: EVENTS alone says where to go on from.
    await relays[0]!.stop();
    relays.splice(0, 1);
    await sql`DELETE FROM relay.checkpoints`;
    await appendEvents(store, tenant, 2);
    const fourth = await relay();
    await expectEveryEventOnce(await awaitPublished(nats.nc, eventsStreamName, 25));
    expect(fourth.publishedCount()).toBe(2);
  });

  it('goes on after a message it did not publish (a dead letter re-driven into EVENTS)', async () => {
    const tenant = randomUUID();
    await appendEvents(store, tenant, 5);
    const running = await relay();
    await awaitPublished(nats.nc, eventsStreamName, 5);

    const js = jetstream(nats.nc);
    const h = natsHeaders();
    h.set('Switchboard-Redriven-From', 'DLQ:1');
    await js.publish(`${nats.namespace}.evt.${tenant}.conversation.x.MessagePosted`, '{}', {
      msgID: 'redrive:DLQ:1',
      headers: h,
    });
    await appendEvents(store, tenant, 5);
    const messages = await awaitPublished(nats.nc, eventsStreamName, 11);
    await expectEveryEventOnce(messages);
    expect(messages[5]?.msgId).toBe('redrive:DLQ:1');
    expect(running.publishedCount()).toBe(10);

    // A restart finds its last event behind the foreign message at the tail.
    await running.stop();
    relays.splice(0, 1);
    await js.publish(`${nats.namespace}.evt.${tenant}.conversation.x.MessagePosted`, '{}', {
      msgID: 'redrive:DLQ:2',
    });
    await sql`DELETE FROM relay.checkpoints`;
    await appendEvents(store, tenant, 3);
    const restarted = await relay();
    await expectEveryEventOnce(await awaitPublished(nats.nc, eventsStreamName, 15));
    expect(restarted.publishedCount()).toBe(3);

    // A message with no id at all: the server then expects none (as after it forgot the last id).
    await js.publish(`${nats.namespace}.evt.${tenant}.conversation.x.MessagePosted`, '{}');
    await appendEvents(store, tenant, 2);
    const all = await awaitPublished(nats.nc, eventsStreamName, 18);
    expect(all.filter((m) => m.msgId === undefined)).toHaveLength(1);
    expect(all.filter((m) => m.msgId !== undefined).map((m) => m.msgId)).toEqual(
      (await allEvents(store))
        .map((e) => e.id)
        .flatMap((id, i) => (i === 5 ? ['redrive:DLQ:1', id] : i === 10 ? ['redrive:DLQ:2', id] : [id])),
    );
    expect(restarted.publishedCount()).toBe(5);
  });

  it('has one leader publishing; when it dies the standby takes over with no gap', async () => {
    const tenant = randomUUID();
    const a = await relay();
    await leaderOf(a);
    const b = await relay();
    expect(await b.ready()).toEqual({ nats: true, database: true, relay: true, standby: true });

    await appendEvents(store, tenant, 20);
    await awaitPublished(nats.nc, eventsStreamName, 20);
    expect(a.publishedCount()).toBe(20);
    expect(b.publishedCount()).toBe(0);
    expect(b.role()).toBe('standby');

    // The leader's connections close (as when its process dies): its lock goes with them.
    await a.sql.end({ timeout: 0 });
    await appendEvents(store, tenant, 15);
    await leaderOf(b);
    const messages = await awaitPublished(nats.nc, eventsStreamName, 35);
    await expectEveryEventOnce(messages);
    // the old leader notices the lost lock at its next check; it can publish nothing meanwhile (its sql is gone)
    await expect.poll(() => a.role(), { timeout: 10_000 }).not.toBe('leader');
    expect(b.publishedCount()).toBe(15);
  });
});
