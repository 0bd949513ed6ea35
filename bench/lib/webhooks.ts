import { join } from 'node:path';
import type { EventStore } from '@switchboard/event-store';
import type postgres from 'postgres';
import { DispatcherConfigSchema } from '../../services/webhook-dispatcher/src/config.js';
import { createConversations } from './api.js';
import { CpuMeter, pidsNamed, settle } from './proc.js';
import { NodeProcess, type ProfileOptions } from './processes.js';
import { seedMessages } from './seed.js';
import type { BenchSystem } from './system.js';
import { waitCaughtUp } from './wait.js';

export interface WebhookBenchOptions {
  /** Messages delivered in the measured run, spread evenly over `conversations`. */
  messages: number;
  conversations: number;
  /** Extra environment for the dispatcher (e.g. WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK). */
  env: Record<string, string>;
  profile?: ProfileOptions;
  log(message: string): void;
}

/** One side of the comparison, as the receiver saw it. */
export interface DeliveryRun {
  /** Requests the receiver counted (message events; every request of the bare loop). */
  delivered: number;
  /** Distinct event ids among them (the dispatcher is at-least-once: delivered - unique are repeats). */
  unique: number;
  /** Per second, from the first to the last counted request. */
  perSecond: number;
  seconds: number;
  /** Cores used by each group of processes while the requests came in, and by the whole machine. */
  cpu: { groups: Record<string, number>; machine: number; cores: number };
  /** CPU milliseconds per request of each group. */
  cpuPerRequestMs: Record<string, number>;
  failed?: number;
  /** The dispatcher's own record of its attempts (dispatch.attempts). */
  attempts?: AttemptTimes;
}

export interface AttemptTimes {
  /** Mean HTTP time of an attempt, ms, as the dispatcher measured it. */
  httpMs: number;
  /** Mean time from one attempt's start to the next one's start in the same queue, ms. */
  cycleMs: number;
  /** Mean attempts in flight: the sum of their HTTP times over the window. */
  inFlight: number;
  /** Seconds the recorder took from its first delivery row to its last (they are delivered meanwhile). */
  recordingS: number;
}

export interface WebhookResults {
  messages: number;
  conversations: number;
  concurrency: number;
  dispatcher: DeliveryRun;
  /** The bare loop just after the dispatcher's run (its CPU is the one reported). */
  bare: DeliveryRun;
  /** Requests/s of the bare loop just before and just after the dispatcher's run. */
  bareRates: { before: number; after: number };
  /** Deliveries/s over the mean of the bare loop's two rates. */
  ratio: number;
  /** With `--webhook-runs` above 1: every run's ratio, in run order (this result is the median run). */
  ratios?: number[];
}

interface ReceiverStats {
  requests: number;
  counted: number;
  unique: number;
  firstAt: number;
  lastAt: number;
  sample: { headers: Record<string, string>; body: string } | null;
}

const DISPATCHER = 'webhook-dispatcher';

/**
 * Webhook deliveries per second, against a bare undici POST loop to the same receiver with the same
 * concurrency (the dispatcher's in-flight limit per webhook), both in this run.
 *
 * Set-up: a receiver process that answers 200 at once, a client whose webhook points at it, and
 * `conversations` conversations with one message. The dispatcher is started once to record and
 * deliver the set-up's events, and stopped; the message's delivery (its headers and body) is the
 * request the bare loop repeats. `messages` messages are then appended straight into the event store
 * and the relay publishes them to EVENTS. The bare loop posts its request as many times; the
 * dispatcher is started again and records and delivers that backlog; the bare loop runs again.
 * Deliveries/s is measured at the receiver, from the first message delivered to the last, and CPU
 * from the first delivery on (the process's start-up is left out). The ratio is to the mean of the
 * bare loop's two rates.
 */
export async function runWebhookBench(
  system: BenchSystem,
  store: EventStore,
  sql: postgres.Sql,
  o: WebhookBenchOptions,
): Promise<WebhookResults> {
  // As the dispatcher will read it: its environment is this process's with `o.env` on top.
  const concurrency = Number(
    o.env.WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK ??
      process.env.WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK ??
      (DispatcherConfigSchema.properties.WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK as { default?: number }).default,
  );
  const profile = o.profile ? { profile: o.profile } : {};
  const receiver = new NodeProcess('webhook-receiver', join('bench', 'webhooks', 'receiver.ts'), {}, profile);
  try {
    await receiver.waitForOutput('receiver ready');
    const port = Number(/receiver ready (\d+)/.exec(receiver.logs())?.[1]);
    const receiverUrl = `http://127.0.0.1:${port}`;
    const stats = async (): Promise<ReceiverStats> => (await fetch(`${receiverUrl}/stats`)).json() as never;
    const reset = async () => void (await fetch(`${receiverUrl}/reset`, { method: 'POST' }));

    const gateway = system.gatewayUrl;
    const sync = await fetch(`${gateway}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhooks: [{ url: `${receiverUrl}/webhook` }] }),
    });
    if (!sync.ok) throw new Error(`sync answered ${sync.status}: ${await sync.text()}`);
    const client = (await sync.json()) as { id: string; token: string };
    const conversations = await createConversations(gateway, client, o.conversations);
    const each = Math.ceil(o.messages / o.conversations);
    const messages = each * o.conversations;
    // One message in the set-up: its delivery is the request the bare loop repeats.
    await seedMessages(store, { clientId: client.id, conversationId: conversations[0]!, count: 1 });
    await waitCaughtUp(sql, system.nats.namespace, 120_000);

    const dispatcherEnv = { WEBHOOKS_ALLOW_PRIVATE: 'true', ...o.env };
    o.log('(7) the dispatcher delivers the set-up events, then stops');
    await system.startService(DISPATCHER, dispatcherEnv);
    await waitSetUpDelivered(sql, client.id, stats, 60_000);
    await system.stopService(DISPATCHER);
    const sample = (await stats()).sample;
    if (!sample) throw new Error('the receiver kept no message delivery to replay');
    const bareLoop = (count = messages): Promise<DeliveryRun> =>
      runBareLoop({
        receiverUrl,
        receiverPid: receiver.pid,
        sample,
        messages: count,
        concurrency,
        stats,
        reset,
        log: o.log,
      });

    o.log(
      `(7) appending ${o.messages.toLocaleString('en-US')} messages over ${o.conversations} conversations`,
    );
    await Promise.all(
      conversations.map((conversationId) =>
        seedMessages(store, { clientId: client.id, conversationId, count: each, batchSize: 1_000 }),
      ),
    );
    await waitCaughtUp(sql, system.nats.namespace, 120_000);

    // The machine's speed drifts by tens of per cent within a minute (the bare loop alone, on the same
    // code, ran at 3,300 and at 6,100 requests/s minutes apart): the bare loop runs just before and
    // just after the dispatcher, and the ratio is to the mean of the two. Each of the three waits for
    // the machine to be quiet first (the projector and PostgreSQL still work off the appended log).
    // The receiver has had a few hundred requests so far: warmed up first, as it is for the loop after.
    o.log('(7) the receiver warms up');
    await bareLoop(Math.ceil(messages / 2));
    o.log(`(7) a bare undici loop posts the message's request ${messages} times, ${concurrency} at a time`);
    const before = await bareLoop();

    o.log('(7) the dispatcher records and delivers them');
    await settle();
    await reset();
    const startedAt = (await sql<{ now: Date }[]>`SELECT now()`)[0]!.now;
    await system.startService(DISPATCHER, dispatcherEnv);
    const dispatcherPids = async () => ({
      'webhook-dispatcher': [system.pid(DISPATCHER)],
      // Only this database's sessions: the server's shared processes work for other databases' heavy
      // traffic too while this runs (other work on the machine), which would swamp the figure.
      'postgres sessions of this database': await sessionPids(sql),
      'nats-server': pidsNamed('nats-server'),
      'webhook receiver': [receiver.pid],
    });
    const dispatcher = await measure(stats, dispatcherPids, messages, 180_000);
    await system.stopService(DISPATCHER);
    dispatcher.attempts = await attemptTimes(sql, client.id, startedAt);
    o.log(
      `(7) ${dispatcher.delivered} deliveries (${dispatcher.unique} distinct) in ${dispatcher.seconds.toFixed(1)} s: ` +
        `${dispatcher.perSecond.toFixed(0)}/s; per attempt: HTTP ${dispatcher.attempts.httpMs.toFixed(1)} ms, ` +
        `start to next start in its queue ${dispatcher.attempts.cycleMs.toFixed(1)} ms, ` +
        `${dispatcher.attempts.inFlight.toFixed(1)} in flight on average; ` +
        `recorded over ${dispatcher.attempts.recordingS.toFixed(1)} s; ${cpuLine(dispatcher)}`,
    );

    o.log('(7) the bare loop again');
    const bare = await bareLoop();
    const bareMean = (before.perSecond + bare.perSecond) / 2;

    return {
      messages,
      conversations: o.conversations,
      concurrency,
      dispatcher,
      bare,
      bareRates: { before: before.perSecond, after: bare.perSecond },
      ratio: dispatcher.perSecond / bareMean,
    };
  } finally {
    await system.stopService(DISPATCHER);
    await receiver.stop();
  }
}

/** The bare undici loop: `messages` posts of `sample`, `concurrency` at a time, in a process of its own. */
async function runBareLoop(o: {
  receiverUrl: string;
  receiverPid: number;
  sample: { headers: Record<string, string>; body: string };
  messages: number;
  concurrency: number;
  stats: () => Promise<ReceiverStats>;
  reset: () => Promise<void>;
  log(message: string): void;
}): Promise<DeliveryRun> {
  await settle();
  await o.reset();
  const loop = new NodeProcess('webhook-post-loop', join('bench', 'webhooks', 'post-loop.ts'), {
    URL: `${o.receiverUrl}/webhook`,
    COUNT: String(o.messages),
    CONCURRENCY: String(o.concurrency),
    MAX_SECONDS: '120',
    SAMPLE: JSON.stringify(o.sample),
  });
  const exited = new Promise<number | null>((resolve) => loop.child.once('exit', resolve));
  let bare: DeliveryRun;
  let code: number | null;
  try {
    bare = await measure(
      o.stats,
      async () => ({ 'bare undici loop': [loop.pid], 'webhook receiver': [o.receiverPid] }),
      o.messages,
      150_000,
    );
    code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
  } finally {
    await loop.stop();
  }
  const line = loop
    .logs()
    .split('\n')
    .find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`the bare loop failed (${code}):\n${loop.logs()}`);
  o.log(`(7) bare loop: ${bare.perSecond.toFixed(0)} req/s; ${cpuLine(bare)}`);
  bare.failed = (JSON.parse(line.slice('RESULT '.length)) as { failed: number }).failed;
  return bare;
}

/** Cores of each group and of the machine, for the log of a run. */
const cpuLine = (run: DeliveryRun): string =>
  `${Object.entries(run.cpu.groups)
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(', ')}, machine ${run.cpu.machine.toFixed(2)} cores`;

/**
 * Polls the receiver until `expected` distinct requests were counted; the CPU meter runs from the first
 * one seen to the last.
 */
async function measure(
  stats: () => Promise<ReceiverStats>,
  groups: () => Promise<Record<string, number[]>>,
  expected: number,
  timeoutMs: number,
): Promise<DeliveryRun> {
  const deadline = Date.now() + timeoutMs;
  const meter = new CpuMeter(groups);
  let from: ReceiverStats | undefined;
  let last: ReceiverStats;
  for (;;) {
    last = await stats();
    if (!from && last.counted > 0) {
      await meter.start();
      from = await stats();
    }
    if (last.unique >= expected) break;
    if (Date.now() > deadline) {
      throw new Error(`only ${last.unique} of ${expected} requests arrived in ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const cpu = meter.stop();
  const inWindow = Math.max(1, last.counted - (from?.counted ?? 0));
  const seconds = (last.lastAt - last.firstAt) / 1000;
  return {
    delivered: last.counted,
    unique: last.unique,
    perSecond: seconds > 0 ? (last.counted - 1) / seconds : Number.NaN,
    seconds,
    cpu: { groups: cpu.groups, machine: cpu.machine, cores: cpu.cores },
    cpuPerRequestMs: Object.fromEntries(
      Object.entries(cpu.groups).map(([name, cores]) => [name, (cores * cpu.wallSeconds * 1000) / inWindow]),
    ),
  };
}

/** The dispatcher's own record of this run's message deliveries (its client's, recorded since `since`). */
async function attemptTimes(sql: postgres.Sql, clientId: string, since: Date): Promise<AttemptTimes> {
  const [recorded] = await sql<{ s: number }[]>`
    SELECT extract(epoch FROM max(d.created_at) - min(d.created_at))::float8 AS s
    FROM dispatch.deliveries d JOIN dispatch.events e ON e.id = d.event_id
    WHERE d.client_id = ${clientId} AND e.type LIKE 'message.%' AND d.created_at >= ${since}`;
  const [row] = await sql<{ http: number; cycle: number; in_flight: number }[]>`
    WITH a AS (
      SELECT a.started_at, a.latency_ms, d.webhook_id, d.ordering_key,
             lead(a.started_at) OVER (PARTITION BY d.webhook_id, d.ordering_key ORDER BY a.started_at) AS next
      FROM dispatch.attempts a JOIN dispatch.deliveries d ON d.id = a.delivery_id
      JOIN dispatch.events e ON e.id = d.event_id
      WHERE d.client_id = ${clientId} AND e.type LIKE 'message.%' AND d.created_at >= ${since}
    )
    SELECT avg(latency_ms)::float8 AS http,
           (avg(extract(epoch FROM next - started_at)) * 1000)::float8 AS cycle,
           (sum(latency_ms) / nullif(extract(epoch FROM max(started_at) - min(started_at)) * 1000, 0))::float8
             AS in_flight
    FROM a`;
  return {
    httpMs: row?.http ?? Number.NaN,
    cycleMs: row?.cycle ?? Number.NaN,
    inFlight: row?.in_flight ?? 0,
    recordingS: recorded?.s ?? Number.NaN,
  };
}

async function sessionPids(sql: postgres.Sql): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

/**
 * Waits until the set-up's message has reached the receiver, nothing of the client is pending, and the
 * receiver has had no request for half a second (deliveries sent from memory are rows only once done).
 */
async function waitSetUpDelivered(
  sql: postgres.Sql,
  clientId: string,
  stats: () => Promise<ReceiverStats>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const now = await stats();
    if (now.requests !== seen) {
      seen = now.requests;
      quietSince = Date.now();
    }
    const [row] = await sql<{ pending: number }[]>`
      SELECT count(*)::int AS pending FROM dispatch.deliveries
      WHERE client_id = ${clientId} AND status = 'pending'`.catch(() => [{ pending: 1 }]);
    if (now.sample && row?.pending === 0 && Date.now() - quietSince >= 500) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dispatcher did not deliver the set-up events in ${timeoutMs / 1000} s`);
}
