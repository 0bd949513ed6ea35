import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '@switchboard/bus';
import { categoryOf, streamIdOf } from '@switchboard/contracts';
import { type EventStore, type RecordedEvent, relayedEventBody } from '@switchboard/event-store';
import { createLogger } from '@switchboard/telemetry';
import type { DispatcherConfig } from './config.js';

export const SECRETS_KEY = '2a'.repeat(32);
export const quietLogger = () =>
  createLogger('webhook-dispatcher-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { id: string; type: string; data: Record<string, unknown> };
  at: number;
}

/** What the receiver answers a request with; `hang` never answers. */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests still waiting for an answer (hanging ones). */
  readonly hanging: number;
  answer: (req: ReceivedRequest) => Answer;
  close(): Promise<void>;
}

/** A local webhook receiver recording every request; answers 200 unless told otherwise. */
export async function startReceiver(answer: (req: ReceivedRequest) => Answer = () => ({ status: 200 })) {
  const requests: ReceivedRequest[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        rawBody,
        body: JSON.parse(rawBody),
        at: Date.now(),
      };
      requests.push(received);
      const a = receiver.answer(received);
      if (a === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      if (a.delayMs) setTimeout(() => res.writeHead(a.status, a.headers).end(), a.delayMs);
      else res.writeHead(a.status, a.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get hanging() {
      return held.size;
    },
    answer,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Appends events to a stream and publishes them to EVENTS the way the relay does. */
export async function appendAndRelay(
  store: EventStore,
  bus: Bus,
  tenant: string,
  stream: string,
  events: { type: string; data: Record<string, unknown> }[],
): Promise<RecordedEvent[]> {
  const commandId = randomUUID();
  await store.appendToStream(
    stream,
    events.map((e) => ({ type: e.type, data: e.data, metadata: { tenant, commandId } })),
    { commandId },
  );
  const all = await store.readStream(stream);
  const appended = all.slice(-events.length);
  for (const event of appended) await relay(bus, event);
  return appended;
}

export async function relay(bus: Bus, event: RecordedEvent): Promise<void> {
  const tenant = String(event.metadata.tenant);
  const subject = bus.names.event(
    tenant,
    categoryOf(event.streamName),
    streamIdOf(event.streamName),
    event.type,
  );
  await bus.publish(subject, relayedEventBody(event), { msgId: event.id });
}

export function testConfig(
  databaseUrl: string,
  natsUrl: string,
  namespace: string,
  overrides: Partial<DispatcherConfig> = {},
): DispatcherConfig {
  return {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    NATS_NAMESPACE: namespace,
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: 0,
    LOG_LEVEL: 'silent',
    SECRETS_KEY,
    DATABASE_POOL_SIZE: 6,
    WEBHOOKS_ALLOW_PRIVATE: true,
    WEBHOOK_RETRY_WINDOW_MS: 60_000,
    WEBHOOK_TIMEOUT_MS: 2_000,
    WEBHOOK_BACKOFF_INITIAL_MS: 20,
    WEBHOOK_BACKOFF_MAX_MS: 200,
    WEBHOOK_MAX_IN_FLIGHT: 64,
    WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK: 4,
    WEBHOOK_LEASE_MARGIN_MS: 500,
    WEBHOOK_POLL_INTERVAL_MS: 200,
    RECORD_BATCH_SIZE: 64,
    WEBHOOK_EXPRESS_HOLD_MS: 2_000,
    LEADER_RETRY_MS: 100,
    WEBHOOK_HISTORY_DAYS: 30,
    ...overrides,
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
