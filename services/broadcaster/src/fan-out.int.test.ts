import { randomUUID } from 'node:crypto';
import { streams } from '@switchboard/contracts';
import type { EventStore } from '@switchboard/event-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FanOut, type FanOutOptions, type FanOutStep } from './fan-out.js';
import {
  catchUp,
  changeConnection,
  connectedUsers,
  fullTerms,
  recipientHistories,
  requestBroadcast,
  type Scene,
  scene,
} from './test-support.js';

let s: Scene;

beforeEach(async () => {
  s = await scene();
});

afterEach(async () => {
  await s?.close();
});

const fanOut = (options: Partial<FanOutOptions> = {}) =>
  new FanOut({ store: s.store, sql: s.sql, batchSize: 10, deliveryConcurrency: 4, ...options });

async function broadcastTypes(broadcastId: string): Promise<string[]> {
  return (await s.store.readStream(streams.broadcast(broadcastId))).map((e) => e.type);
}

async function outbound(broadcastId: string) {
  await catchUp(s.sql, s.store);
  const [row] = await s.sql`
    SELECT status, recipient_count, delivered_count, failed_count FROM rm.alias_outbound_messages
    WHERE broadcast_id = ${broadcastId}`;
  return row;
}

/** Every recipient stream holds a start and one outcome, nothing more. */
function expectExactlyOnce(histories: Map<string, string[]>, recipients: string[]) {
  expect([...histories.keys()].sort()).toEqual([...recipients].sort());
  for (const [user, types] of histories) {
    expect(types.length, user).toBe(2);
    expect(types[0], user).toBe('RecipientDeliveryStarted');
    expect(['RecipientDelivered', 'RecipientFailed'], user).toContain(types[1]);
  }
}

describe('a broadcast to a topic', () => {
  it('goes in batches to the subscribers at the request, each delivery checked against the connection now', async () => {
    const clientId = randomUUID();
    const users = await connectedUsers(s.store, clientId, 25);
    const [notSubscribed] = await connectedUsers(s.store, clientId, 1, { ...fullTerms, channels: ['_meta'] });
    const [offline] = await connectedUsers(s.store, clientId, 1, { ...fullTerms, scopes: ['openid'] });
    await connectedUsers(s.store, randomUUID(), 3); // another client's subscribers
    await catchUp(s.sql, s.store);
    const { broadcastId } = await requestBroadcast(s.store, clientId);
    // After the request, before the fan-out: three drop the channel, two revoke, one subscribes.
    const at = new Date().toISOString();
    for (const userId of users.slice(0, 3)) {
      await changeConnection(s.store, {
        type: 'ConnectionUpdated',
        data: { userId, clientId, ...fullTerms, channels: ['_meta'], at },
      });
    }
    for (const userId of users.slice(3, 5)) {
      await changeConnection(s.store, { type: 'ConnectionRevoked', data: { userId, clientId, at } });
    }
    await changeConnection(s.store, {
      type: 'ConnectionUpdated',
      data: { userId: notSubscribed!, clientId, ...fullTerms, at },
    });
    await catchUp(s.sql, s.store);

    const steps: FanOutStep[] = [];
    expect(await fanOut({ onStep: (step) => void steps.push(step) }).run(broadcastId)).toBe('sent');

    expect(steps.map((step) => step.kind)).toEqual([
      'resolved',
      'resolved',
      'resolved',
      'dispatched',
      'settled',
      'settled',
      'settled',
      'completed',
    ]);
    expect(steps.filter((step) => step.kind === 'resolved').map((step) => step.recipients)).toEqual([
      10, 10, 5,
    ]);
    expect(steps.at(-1)).toEqual({ kind: 'completed', broadcastId, delivered: 20, failed: 5 });
    expect(await broadcastTypes(broadcastId)).toEqual([
      'BroadcastRequested',
      ...Array(3).fill('RecipientsResolved'),
      'BroadcastDispatched',
      ...Array(3).fill('RecipientsSettled'),
      'BroadcastCompleted',
    ]);
    const histories = await recipientHistories(s.sql, broadcastId);
    expectExactlyOnce(histories, users);
    expect(histories.has(notSubscribed!)).toBe(false);
    expect(histories.has(offline!)).toBe(false);

    expect(await outbound(broadcastId)).toEqual({
      status: 'sent',
      recipient_count: 25,
      delivered_count: 20,
      failed_count: 5,
    });
    const reasons = await s.sql`
      SELECT reason, count(*)::int AS n FROM rm.alias_deliveries WHERE broadcast_id = ${broadcastId}
      GROUP BY reason ORDER BY reason NULLS FIRST`;
    expect(reasons).toEqual([
      { reason: null, n: 20 },
      { reason: 'channel_revoked', n: 3 },
      { reason: 'connection_revoked', n: 2 },
    ]);
    const [inbox] = await s.sql`
      SELECT count(*)::int AS n FROM rm.inbox_items WHERE broadcast_id = ${broadcastId}`;
    expect(inbox).toEqual({ n: 20 });
  });

  it('without subscribers, is dispatched and sent with no recipients', async () => {
    const clientId = randomUUID();
    const { broadcastId } = await requestBroadcast(s.store, clientId, { channel: 'nobody_here' });
    await catchUp(s.sql, s.store);
    expect(await fanOut().run(broadcastId)).toBe('sent');
    expect(await broadcastTypes(broadcastId)).toEqual([
      'BroadcastRequested',
      'BroadcastDispatched',
      'BroadcastCompleted',
    ]);
    expect(await outbound(broadcastId)).toEqual({
      status: 'sent',
      recipient_count: 0,
      delivered_count: 0,
      failed_count: 0,
    });
  });
});

describe('a broadcast to one user', () => {
  it('is delivered to a connected user, and fails with no_connection for one who is not', async () => {
    const clientId = randomUUID();
    const [connected] = await connectedUsers(s.store, clientId, 1);
    const [foreign] = await connectedUsers(s.store, randomUUID(), 1);
    await catchUp(s.sql, s.store);
    const results = [];
    for (const userId of [connected!, foreign!, randomUUID()]) {
      const { broadcastId } = await requestBroadcast(s.store, clientId, {
        audience: { kind: 'user', userId },
      });
      expect(await fanOut().run(broadcastId)).toBe('sent');
      results.push([...(await recipientHistories(s.sql, broadcastId)).values()][0]?.[1]);
      await catchUp(s.sql, s.store);
      const [delivery] =
        await s.sql`SELECT status, reason FROM rm.alias_deliveries WHERE broadcast_id = ${broadcastId}`;
      results.push(delivery);
    }
    expect(results).toEqual([
      'RecipientDelivered',
      { status: 'delivered', reason: null },
      'RecipientFailed',
      { status: 'failed', reason: 'no_connection' },
      'RecipientFailed',
      { status: 'failed', reason: 'no_connection' },
    ]);
  });
});

describe('stopping and restarting', () => {
  it('resumes where it stopped, in either phase, without losing or repeating a delivery', async () => {
    const clientId = randomUUID();
    const users = await connectedUsers(s.store, clientId, 45);
    await catchUp(s.sql, s.store);
    const { broadcastId } = await requestBroadcast(s.store, clientId);
    await catchUp(s.sql, s.store);

    const stopAfter = (kind: FanOutStep['kind'], count: number) => {
      const controller = new AbortController();
      let seen = 0;
      return {
        signal: controller.signal,
        onStep: (step: FanOutStep) => {
          if (step.kind === kind && ++seen === count) controller.abort();
        },
      };
    };
    const first = stopAfter('resolved', 2);
    expect(await fanOut({ onStep: first.onStep }).run(broadcastId, first.signal)).toBe('stopped');
    expect(await outbound(broadcastId)).toMatchObject({ status: 'pending', recipient_count: 20 });

    const second = stopAfter('settled', 2);
    expect(await fanOut({ onStep: second.onStep }).run(broadcastId, second.signal)).toBe('stopped');
    // Counts are those of the batches settled so far, while it runs.
    expect(await outbound(broadcastId)).toEqual({
      status: 'sending',
      recipient_count: 45,
      delivered_count: 20,
      failed_count: 0,
    });

    expect(await fanOut().run(broadcastId)).toBe('sent');
    expectExactlyOnce(await recipientHistories(s.sql, broadcastId), users);
    expect(await outbound(broadcastId)).toEqual({
      status: 'sent',
      recipient_count: 45,
      delivered_count: 45,
      failed_count: 0,
    });
    // Run again once sent: nothing more.
    expect(await fanOut().run(broadcastId)).toBe('sent');
    expect((await broadcastTypes(broadcastId)).length).toBe(1 + 5 + 1 + 5 + 1);
  });

  it('recognises a step it stored but never heard back about (a crash after the commit)', async () => {
    const clientId = randomUUID();
    const users = await connectedUsers(s.store, clientId, 15);
    await catchUp(s.sql, s.store);
    const { broadcastId } = await requestBroadcast(s.store, clientId);
    await catchUp(s.sql, s.store);
    // A store whose answers get lost after the first and the fourth append committed.
    let appends = 0;
    const appendToStreams: EventStore['appendToStreams'] = async (...args) => {
      const result = await s.store.appendToStreams(...args);
      appends++;
      if (appends === 1 || appends === 4) throw new Error('connection lost after commit');
      return result;
    };
    const lossy = new Proxy(s.store, {
      get: (target, property) => {
        if (property === 'appendToStreams') return appendToStreams;
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(fanOut({ store: lossy }).run(broadcastId)).rejects.toThrow('connection lost');
    await expect(fanOut({ store: lossy }).run(broadcastId)).rejects.toThrow('connection lost');
    expect(await fanOut({ store: lossy }).run(broadcastId)).toBe('sent');
    expectExactlyOnce(await recipientHistories(s.sql, broadcastId), users);
    expect(await broadcastTypes(broadcastId)).toEqual([
      'BroadcastRequested',
      'RecipientsResolved',
      'RecipientsResolved',
      'BroadcastDispatched',
      'RecipientsSettled',
      'RecipientsSettled',
      'BroadcastCompleted',
    ]);
  });

  it('stays exactly once when two fan-outs run the same broadcast at once', async () => {
    const clientId = randomUUID();
    const users = await connectedUsers(s.store, clientId, 60);
    await catchUp(s.sql, s.store);
    const { broadcastId } = await requestBroadcast(s.store, clientId);
    await catchUp(s.sql, s.store);
    const results = await Promise.all([
      fanOut().run(broadcastId),
      fanOut({ batchSize: 10 }).run(broadcastId),
    ]);
    expect(results).toEqual(['sent', 'sent']);
    expectExactlyOnce(await recipientHistories(s.sql, broadcastId), users);
    expect(await outbound(broadcastId)).toEqual({
      status: 'sent',
      recipient_count: 60,
      delivered_count: 60,
      failed_count: 0,
    });
  });
});
