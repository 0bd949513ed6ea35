import { randomUUID } from 'node:crypto';
import { connectBus } from '@switchboard/bus';
import { streams } from '@switchboard/contracts';
import { relayedEventBody } from '@switchboard/event-store';
import { createLogger } from '@switchboard/telemetry';
import { createTestNats, type TestNats } from '@switchboard/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BroadcasterConfig } from './config.js';
import type { FanOutStep } from './fan-out.js';
import { type RunningBroadcaster, startBroadcaster } from './service.js';
import {
  catchUp,
  connectedUsers,
  recipientHistories,
  requestBroadcast,
  type Scene,
  scene,
} from './test-support.js';

let s: Scene;
let nats: TestNats;
const running: RunningBroadcaster[] = [];

beforeEach(async () => {
  s = await scene();
  nats = await createTestNats();
});

afterEach(async () => {
  for (const service of running.splice(0)) await service.stop().catch(() => {});
  await nats?.close();
  await s?.close();
});

const config = (): BroadcasterConfig => ({
  DATABASE_URL: s.db.url,
  NATS_URL: nats.url,
  NATS_NAMESPACE: nats.namespace,
  HEALTH_HOST: '127.0.0.1',
  HEALTH_PORT: 0,
  LOG_LEVEL: 'warn',
  DATABASE_POOL_SIZE: 6,
  BROADCASTS_IN_PARALLEL: 2,
  BATCH_SIZE: 5,
  DELIVERY_CONCURRENCY: 4,
  PROJECTION_WAIT_MS: 5_000,
});

/** Publishes a stored event on EVENTS as the relay does (subject, body, message id). */
async function relay(broadcastId: string) {
  const [event] = await s.store.readStream(streams.broadcast(broadcastId));
  const bus = await connectBus({ servers: nats.url, name: 'test-relay', namespace: nats.namespace });
  try {
    const tenant = String(event!.metadata.tenant);
    await bus.publish(
      bus.names.event(tenant, 'broadcast', broadcastId, event!.type),
      relayedEventBody(event!),
      {
        msgId: event!.id,
      },
    );
  } finally {
    await bus.close();
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('broadcaster service', () => {
  it('fans out a requested broadcast; stopped mid-way, a new replica finishes it exactly once', {
    timeout: 90_000,
  }, async () => {
    const clientId = randomUUID();
    const users = await connectedUsers(s.store, clientId, 32);
    await catchUp(s.sql, s.store);
    const { broadcastId, requested } = await requestBroadcast(s.store, clientId);
    expect(requested.type).toBe('BroadcastRequested');
    // The projector has the broadcast (and the grants before it) before the broadcaster reads them.
    await catchUp(s.sql, s.store);

    let resolved = 0;
    let first: RunningBroadcaster | undefined;
    let stopped: Promise<void> | undefined;
    const onStep = (step: FanOutStep) => {
      if (step.kind === 'resolved' && ++resolved === 3) stopped = first?.stop();
    };
    first = await startBroadcaster(config(), createLogger('broadcaster', 'warn'), { onStep });
    await relay(broadcastId);
    await waitFor('the first replica to stop', async () => (stopped ? true : undefined));
    await stopped;
    const partial = await s.store.readStream(streams.broadcast(broadcastId));
    expect(partial.map((e) => e.type)).toEqual([
      'BroadcastRequested',
      ...Array(3).fill('RecipientsResolved'),
    ]);

    running.push(await startBroadcaster(config(), createLogger('broadcaster', 'warn')));
    await waitFor('the broadcast to be sent', async () => {
      const events = await s.store.readStream(streams.broadcast(broadcastId));
      return events.at(-1)?.type === 'BroadcastCompleted' ? true : undefined;
    });
    const histories = await recipientHistories(s.sql, broadcastId);
    expect([...histories.keys()].sort()).toEqual([...users].sort());
    for (const types of histories.values())
      expect(types).toEqual(['RecipientDeliveryStarted', 'RecipientDelivered']);
    const completed = (await s.store.readStream(streams.broadcast(broadcastId))).at(-1);
    expect(completed?.data).toMatchObject({ delivered: 32, failed: 0 });
  });

  it('answers its health probes and drains on stop', async () => {
    const service = await startBroadcaster(config(), createLogger('broadcaster', 'warn'));
    expect(await service.ready()).toEqual({ nats: true, database: true, consumer: true });
    await service.stop();
  });
});
