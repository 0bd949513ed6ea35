/**
 * The message-path benchmark: `pnpm bench` (see docs/performance.md, `pnpm bench --help`).
 *
 * Starts the whole conversations core (a temporary database and NATS namespace, every service as its
 * own process) and a bare baseline pair, loads both from a separate load-generator process on
 * loopback, and prints the six figures of the benchmark, each beside its baseline from the same run:
 *   (1) POST /api/v1/messages        (2) the bare Fastify → NATS → INSERT → reply baseline, ratio
 *   (3) GET a conversation's page    (4) posting to a long conversation ÷ to a new one
 *   (5) projection lag               (6) peak RSS of each service
 *   (7) webhook deliveries/s against a bare undici POST loop to the same receiver
 * Every load is bounded in time and count; the full run takes two to three minutes on two cores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore } from '@switchboard/event-store';
import type postgres from 'postgres';
import { clientHeaders, createClient, createConversations } from './lib/api.js';
import { Baseline } from './lib/baseline.js';
import { ProjectionLag } from './lib/lag.js';
import { runLoad } from './lib/load-runner.js';
import type { RunSpec } from './lib/load-spec.js';
import { type BenchOptions, parseOptions, usage } from './lib/options.js';
import { CpuMeter, type Memory, memoryOf, pidsNamed, postgresPids } from './lib/proc.js';
import { type BenchResults, printReport, printWebhookReport } from './lib/report.js';
import { seedMessages } from './lib/seed.js';
import { summarise } from './lib/stats.js';
import { BenchSystem, CORE_SERVICES } from './lib/system.js';
import { waitCaughtUp } from './lib/wait.js';
import { runWebhookBench, type WebhookResults } from './lib/webhooks.js';
import { summariseProfiles } from './profile-summary.js';

const options = parseOptions(process.argv.slice(2));
if (!options) {
  console.log(usage);
  process.exit(0);
}
if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

const log = (message: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const wallNow = () => performance.timeOrigin + performance.now();

async function main(o: BenchOptions): Promise<BenchResults> {
  const started = performance.now();
  const profile = o.cpuProfDir ? { dir: o.cpuProfDir } : undefined;
  log('starting the system (database, NATS namespace, services) and the baseline');
  const system = await BenchSystem.start({ ...(profile ? { profile } : {}), env: o.env, echo: o.echo });
  let baseline: Baseline | undefined;
  const sql = connectEventStore(system.db.url, { max: 4 });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  const lag = new ProjectionLag(sql);
  const stopAll = async () => {
    await lag.stop().catch(() => {});
    await store.close().catch(() => {});
    await sql.end({ timeout: 2 }).catch(() => {});
    await baseline?.stop();
    await system.stop();
  };
  onInterrupt = stopAll;
  try {
    baseline = await Baseline.start({
      databaseUrl: system.db.url,
      natsUrl: system.nats.url,
      namespace: system.nats.namespace,
      ...(profile ? { profile } : {}),
    });
    const gateway = system.gatewayUrl;
    await lag.start();

    // ---- (7) first: the dispatcher reads EVENTS from its start, which is short now
    const webhooks = o.webhookMessages > 0 ? await webhookPhase(o, system, store, sql) : undefined;

    // ---- set-up: a client, its users and conversations, through the API
    const client = await createClient(gateway);
    const headers = clientHeaders(client);
    const conversations = await createConversations(gateway, client, o.conversations);
    const bodies = conversations.map((conversationId) =>
      JSON.stringify({ conversationId, payload: { type: 'text', text: 'hello from the benchmark' } }),
    );
    const memory = { idle: memoryOfServices(system) } as BenchResults['memory'];
    const post = (label: string, durationS: number): RunSpec => ({
      label,
      url: gateway,
      method: 'POST',
      paths: ['/api/v1/messages'],
      bodies,
      headers,
      connections: o.connections,
      durationS,
      maxRequests: durationS * 20_000,
    });
    const basePost = (label: string, durationS: number): RunSpec => ({
      ...post(label, durationS),
      url: baseline!.url,
      paths: ['/baseline/messages'],
      headers: {},
    });

    log(`warming up (${o.warmupS} s each)`);
    await runLoad({ runs: [basePost('warm-up baseline', o.warmupS)] });
    await runLoad({ runs: [post('warm-up', o.warmupS)] });

    // ---- (2) then (1), with the CPU each process used
    const meter = new CpuMeter(() => cpuGroups(system, baseline!, sql));
    log(`(2) baseline POST, ${o.connections} connections, ${o.postS} s`);
    await meter.start();
    const [baselinePost] = await runLoad({ runs: [basePost('baseline POST', o.postS)] });
    const cpuBaseline = meter.stop();
    log(
      `(1) POST /api/v1/messages, ${o.conversations} conversations, ${o.connections} connections, ${o.postS} s`,
    );
    const postFrom = wallNow();
    await meter.start();
    const [messagesPost] = await runLoad({ runs: [post('POST /api/v1/messages', o.postS)] });
    const cpuPost = meter.stop();
    const postTo = wallNow();
    system.assertAlive();
    memory.afterPost = memoryOfServices(system);
    await waitCaughtUp(sql, system.nats.namespace, 30_000);
    const loadLag = await lag.lags(postFrom, postTo);

    // ---- (3) reading a page of conversations of 1,000 messages
    log(`(3) seeding ${o.readConversations} conversations of ${o.readMessages} messages`);
    const readable = await createConversations(gateway, client, o.readConversations);
    await Promise.all(
      readable.map((conversationId) =>
        seedMessages(store, {
          clientId: client.id,
          conversationId,
          count: o.readMessages,
          batchSize: 1_000,
        }),
      ),
    );
    await waitCaughtUp(sql, system.nats.namespace, 60_000);
    await assertPage(gateway, headers, readable[0]!);
    const get = (label: string, url: string, path: (id: string) => string, h: Record<string, string>) => ({
      label,
      url,
      method: 'GET' as const,
      paths: readable.map(path),
      headers: h,
      connections: o.connections,
      durationS: o.getS,
      maxRequests: o.getS * 40_000,
    });
    log(`(3) GET a page of 20, ${o.connections} connections, ${o.getS} s each`);
    const [baselineGet] = await runLoad({
      runs: [get('baseline GET', baseline.url, (id) => `/baseline/messages/conversation/${id}?limit=20`, {})],
    });
    const [messagesGet] = await runLoad({
      runs: [
        get(
          'GET /api/v1/messages/conversation/:id',
          gateway,
          (id) => `/api/v1/messages/conversation/${id}?limit=20`,
          headers,
        ),
      ],
    });

    // ---- (4) appending to a long conversation versus a new one
    const [fresh, long] = await createConversations(gateway, client, 2);
    log(`(4) seeding a conversation of ${o.longMessages.toLocaleString('en-US')} messages`);
    const seedFrom = performance.now();
    await seedMessages(store, { clientId: client.id, conversationId: long!, count: o.longMessages });
    const seedSeconds = (performance.now() - seedFrom) / 1000;
    const caughtUp = await waitCaughtUp(sql, system.nats.namespace, 240_000);
    log(
      `(4) seeded in ${seedSeconds.toFixed(1)} s; projector caught up ${caughtUp.projectorS.toFixed(1)} s ` +
        `and relay ${caughtUp.relayS.toFixed(1)} s after; restarting the command handler (cold cache)`,
    );
    // A new command-handler process: nothing cached, and no snapshot of the seeded conversation yet.
    // It warms up (JIT, connections) on the other conversations, so that its first posts to the long
    // one measure the cold state rather than a cold process.
    const restartWarm = async () => {
      await system.restart('command-handler');
      await runLoad({ runs: [{ ...post('warm-up after restart', 1), connections: 10 }] });
    };
    await restartWarm();
    const alternate = (durationS: number): RunSpec => ({
      label: 'long and new conversation in turn',
      url: gateway,
      method: 'POST',
      paths: ['/api/v1/messages'],
      // the new conversation first, so that the long one's first (cold) post is request 2
      bodies: [fresh!, long!].map((conversationId) =>
        JSON.stringify({ conversationId, payload: { type: 'text', text: 'hello from the benchmark' } }),
      ),
      headers,
      connections: 1,
      durationS,
      maxRequests: durationS * 2_000,
      keepFirst: 3,
      perTarget: true,
    });
    log(`(4) posting to the long and the new conversation in turn for ${o.appendS} s`);
    const idleFrom = wallNow();
    const [coldRun] = await runLoad({ runs: [alternate(o.appendS)] });
    const idleLag = await lag.lags(idleFrom, wallNow());
    system.assertAlive();
    memory.end = memoryOfServices(system);
    log('(4) restarting the command handler again: the long conversation now has a snapshot');
    await restartWarm();
    const [snapshotRun] = await runLoad({ runs: [alternate(2)] });
    system.assertAlive();

    return {
      date: new Date().toISOString(),
      options: o,
      post: messagesPost!,
      baselinePost: baselinePost!,
      cpu: { post: cpuPost, baseline: cpuBaseline },
      get: messagesGet!,
      baselineGet: baselineGet!,
      append: {
        result: coldRun!,
        afterSnapshot: snapshotRun!,
        seedSeconds,
        projectorCatchUpS: caughtUp.projectorS,
        relayCatchUpS: caughtUp.relayS,
      },
      lag: {
        load: { ...summarise(loadLag.lags), missing: loadLag.missing },
        idle: { ...summarise(idleLag.lags), missing: idleLag.missing },
      },
      memory,
      ...(webhooks ? { webhooks } : {}),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    log('stopping');
    onInterrupt = null;
    await stopAll();
  }
}

/**
 * (7), `webhookRuns` times on the same system (each run with a receiver, a client and conversations of
 * its own): the ratio of one run moves by 10–20 % on a quiet machine, so with several the run with the
 * median ratio is reported, together with every run's ratio.
 */
async function webhookPhase(
  o: BenchOptions,
  system: BenchSystem,
  store: ReturnType<typeof createEventStore>,
  sql: postgres.Sql,
): Promise<WebhookResults> {
  const runs: WebhookResults[] = [];
  for (let run = 1; run <= o.webhookRuns; run++) {
    if (o.webhookRuns > 1) log(`(7) run ${run} of ${o.webhookRuns}`);
    runs.push(
      await runWebhookBench(system, store, sql, {
        messages: o.webhookMessages,
        conversations: o.conversations,
        env: o.env,
        ...(o.cpuProfDir ? { profile: { dir: o.cpuProfDir } } : {}),
        log,
      }),
    );
  }
  const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio);
  const median = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
  return runs.length > 1 ? { ...median, ratios: runs.map((r) => r.ratio) } : median;
}

/** `pnpm bench --webhooks`: only (7), on a system of its own. */
async function mainWebhooks(o: BenchOptions): Promise<WebhookResults> {
  log('starting the system (database, NATS namespace, services)');
  const profile = o.cpuProfDir ? { dir: o.cpuProfDir } : undefined;
  const system = await BenchSystem.start({ ...(profile ? { profile } : {}), env: o.env, echo: o.echo });
  const sql = connectEventStore(system.db.url, { max: 4 });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  const stopAll = async () => {
    await store.close().catch(() => {});
    await sql.end({ timeout: 2 }).catch(() => {});
    await system.stop();
  };
  onInterrupt = stopAll;
  try {
    return await webhookPhase(o, system, store, sql);
  } finally {
    log('stopping');
    onInterrupt = null;
    await stopAll();
  }
}

function memoryOfServices(system: BenchSystem): Record<string, Memory | null> {
  return Object.fromEntries(CORE_SERVICES.map((name) => [name, memoryOf(system.pid(name))]));
}

async function cpuGroups(
  system: BenchSystem,
  baseline: Baseline,
  sql: postgres.Sql,
): Promise<Record<string, number[]>> {
  return {
    ...Object.fromEntries(CORE_SERVICES.map((name) => [name, [system.pid(name)]])),
    'baseline http': [baseline.http.pid],
    'baseline responder': [baseline.responder.pid],
    'postgres (this database and shared processes)': await postgresPids(sql),
    'nats-server': pidsNamed('nats-server'),
  };
}

/** The seeded conversations must read back as pages of 20 before they are measured. */
async function assertPage(gateway: string, headers: Record<string, string>, conversationId: string) {
  const res = await fetch(`${gateway}/api/v1/messages/conversation/${conversationId}?limit=20`, { headers });
  const page = (await res.json()) as unknown[];
  if (res.status !== 200 || page.length !== 20) {
    throw new Error(`reading a seeded conversation answered ${res.status} with ${page.length} messages`);
  }
}

let onInterrupt: (() => Promise<void>) | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void (onInterrupt?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

// Every phase has its own bound; this one catches whatever slips through them all.
const watchdog = setTimeout(() => {
  log('still running after 10 minutes: giving up');
  void (onInterrupt?.() ?? Promise.resolve()).finally(() => process.exit(1));
}, 10 * 60_000);
watchdog.unref();

mkdirSync(dirname(options.json), { recursive: true });
if (options.webhooksOnly) {
  const results = await mainWebhooks(options);
  writeFileSync(options.json, JSON.stringify({ date: new Date().toISOString(), webhooks: results }, null, 2));
  printWebhookReport(results);
} else {
  const results = await main(options);
  writeFileSync(options.json, JSON.stringify(results, null, 2));
  printReport(results);
}
if (options.cpuProfDir) {
  console.log(`\nCPU profiles: ${options.cpuProfDir} (open in Chrome DevTools or speedscope)\n`);
  console.log(summariseProfiles(options.cpuProfDir, 12));
}
process.exit(0);
