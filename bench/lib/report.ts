import type { LoadResult } from './load-spec.js';
import type { BenchOptions } from './options.js';
import type { Memory } from './proc.js';
import type { Summary } from './stats.js';
import type { WebhookResults } from './webhooks.js';

export interface CpuUse {
  /** Cores used by each group of processes during the run. */
  groups: Record<string, number>;
  /** Cores busy on the whole machine, and cores there are. */
  machine: number;
  cores: number;
}

export interface BenchResults {
  date: string;
  options: BenchOptions;
  post: LoadResult;
  baselinePost: LoadResult;
  cpu: { post: CpuUse; baseline: CpuUse };
  get: LoadResult;
  baselineGet: LoadResult;
  append: {
    /** The new and the long conversation in turn, on a command handler started after the seeding. */
    result: LoadResult;
    /** The same, briefly, on a command handler started again: the long conversation has a snapshot. */
    afterSnapshot: LoadResult;
    seedSeconds: number;
    projectorCatchUpS: number;
    relayCatchUpS: number;
  };
  lag: { load: Summary & { missing: number }; idle: Summary & { missing: number } };
  memory: {
    idle: Record<string, Memory | null>;
    afterPost: Record<string, Memory | null>;
    end: Record<string, Memory | null>;
  };
  /** (7); absent with --webhook-messages 0 and in older results. */
  webhooks?: WebhookResults;
  wallSeconds: number;
}

export const targets = {
  ratio: 0.6,
  postP99Ms: 40,
  appendRatio: 1.15,
  lagP99Ms: 100,
  rssMB: 300,
  webhookRatio: 0.5,
};

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : 'n/a');
const mark = (ok: boolean) => (ok ? 'yes' : '**no**');

const errors = (r: LoadResult) => {
  const parts = [`${int(r.errors)} errors`];
  if (r.non2xx > 0) parts.push(`${int(r.non2xx)} non-2xx (${JSON.stringify(r.statuses)})`);
  return parts.join(', ');
};

const load = (r: LoadResult) =>
  `${int(r.rps)} req/s, p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, ${errors(r)}`;

/** The headline figures: what the targets are checked on. */
export function headline(r: BenchResults) {
  const ratio = r.post.rps / r.baselinePost.rps;
  const [fresh, long] = r.append.result.targets ?? [];
  const appendRatio = (long?.latency.p50 ?? Number.NaN) / (fresh?.latency.p50 ?? Number.NaN);
  const [, longAfterSnapshot] = r.append.afterSnapshot?.targets ?? []; // absent in older results
  const peaks = Object.entries(r.memory.afterPost).map(([name, m]) => [name, m?.peak ?? Number.NaN] as const);
  return { ratio, fresh, long, longAfterSnapshot, appendRatio, peaks };
}

export function reportMarkdown(r: BenchResults): string {
  const o = r.options;
  const { ratio, fresh, long, longAfterSnapshot, appendRatio, peaks } = headline(r);
  const lines: string[] = [];
  lines.push(
    `Message-path benchmark, ${r.date}, ${r.wallSeconds.toFixed(0)} s in all ` +
      `(POST runs ${o.postS} s, GET runs ${o.getS} s, long conversation ${int(o.longMessages)} messages)`,
    '',
    '| # | figure | measured | baseline (same run) | result | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| 1 | POST /api/v1/messages, ${o.conversations} conversations, ${o.connections} connections, ${o.postS} s ` +
      `| ${load(r.post)} | (2) | p99 ${ms(r.post.latency.p99)} | p99 ≤ ${targets.postP99Ms} ms ` +
      `| ${mark(r.post.latency.p99 <= targets.postP99Ms && r.post.errors + r.post.non2xx === 0)} |`,
    `| 2 | bare Fastify → NATS request → INSERT one row → reply | | ${load(r.baselinePost)} ` +
      `| (1)/(2) = ${ratio.toFixed(2)} | ≥ ${targets.ratio} | ${mark(ratio >= targets.ratio)} |`,
    `| 3 | GET /api/v1/messages/conversation/:id?limit=20, ${o.readConversations} conversations of ` +
      `${int(o.readMessages)} messages, ${o.connections} connections, ${o.getS} s | ${load(r.get)} ` +
      `| bare Fastify → one SELECT: ${load(r.baselineGet)} | ${(r.get.rps / r.baselineGet.rps).toFixed(2)} of baseline req/s | — | |`,
    `| 4 | p50 posting to a conversation of ${int(o.longMessages)} messages ÷ to a new one (1 connection, in turn) ` +
      `| long: p50 ${ms(long?.latency.p50 ?? Number.NaN)}; first posts after a restart: ` +
      `${(long?.first ?? []).map(ms).join(', ')} (no snapshot), ` +
      `${(longAfterSnapshot?.first ?? []).map(ms).join(', ')} (from its snapshot) ` +
      `| new: p50 ${ms(fresh?.latency.p50 ?? Number.NaN)}, first posts ${(fresh?.first ?? []).map(ms).join(', ')} ` +
      `| ${appendRatio.toFixed(2)} | ≤ ${targets.appendRatio} | ${mark(appendRatio <= targets.appendRatio)} |`,
    `| 5 | projection lag (append → checkpoint notification) under load (1) ` +
      `| p50 ${ms(r.lag.load.p50)}, p99 ${ms(r.lag.load.p99)}, max ${ms(r.lag.load.max)} (${int(r.lag.load.count)} events) ` +
      `| one connection (4): p50 ${ms(r.lag.idle.p50)}, p99 ${ms(r.lag.idle.p99)} ` +
      `| p99 ${ms(r.lag.load.p99)} | p99 ≤ ${targets.lagP99Ms} ms | ${mark(r.lag.load.p99 <= targets.lagP99Ms)} |`,
  );
  if (r.webhooks) lines.push(webhookRow(r.webhooks));
  for (const [name, peak] of peaks) {
    const idle = r.memory.idle[name];
    lines.push(
      `| 6 | peak RSS of ${name} under load (1) | ${peak.toFixed(0)} MB | idle before: ${idle ? idle.rss.toFixed(0) : '?'} MB ` +
        `| ${peak.toFixed(0)} MB | < ${targets.rssMB} MB | ${mark(peak < targets.rssMB)} |`,
    );
  }
  lines.push(
    '',
    `CPU in use (cores of ${r.cpu.post.cores.toFixed(1)}) during (2) and (1):`,
    '',
    '| process | (2) baseline, cores | (1) messages, cores | (2) CPU ms per request | (1) CPU ms per request |',
    '| --- | --- | --- | --- | --- |',
  );
  const msPer = (cores: number | undefined, l: LoadResult) => (((cores ?? 0) * 1000) / l.rps).toFixed(3);
  for (const group of Object.keys(r.cpu.post.groups)) {
    const base = r.cpu.baseline.groups[group];
    const post = r.cpu.post.groups[group];
    lines.push(
      `| ${group} | ${(base ?? 0).toFixed(2)} | ${(post ?? 0).toFixed(2)} ` +
        `| ${base ? msPer(base, r.baselinePost) : ''} | ${post ? msPer(post, r.post) : ''} |`,
    );
  }
  const loadCores = (l: LoadResult) => l.loadCpuSeconds / l.seconds;
  const ours = (c: CpuUse) => Object.values(c.groups).reduce((a, b) => a + b, 0);
  const perRequest = (c: CpuUse, l: LoadResult) => `${((ours(c) * 1000) / l.rps).toFixed(2)} ms`;
  const others = (c: CpuUse, l: LoadResult) => Math.max(0, c.machine - ours(c) - loadCores(l));
  lines.push(
    `| load generator | ${loadCores(r.baselinePost).toFixed(2)} | ${loadCores(r.post).toFixed(2)} | | |`,
    `| anything else on the machine | ${others(r.cpu.baseline, r.baselinePost).toFixed(2)} | ${others(r.cpu.post, r.post).toFixed(2)} | | |`,
    `| whole machine | ${r.cpu.baseline.machine.toFixed(2)} | ${r.cpu.post.machine.toFixed(2)} | | |`,
    `| CPU per request, all of the above but the load generator | | | ${perRequest(r.cpu.baseline, r.baselinePost)} | ${perRequest(r.cpu.post, r.post)} |`,
    '',
    `Long conversation: ${int(o.longMessages)} messages appended in ${r.append.seedSeconds.toFixed(1)} s; ` +
      `the projector had them ${r.append.projectorCatchUpS.toFixed(1)} s later, the relay ${r.append.relayCatchUpS.toFixed(1)} s later.`,
    `Peak RSS at the end (after the long conversation): ` +
      Object.entries(r.memory.end)
        .map(([name, m]) => `${name} ${m ? m.peak.toFixed(0) : '?'} MB`)
        .join(', ') +
      '.',
  );
  if (r.webhooks) lines.push('', webhookCpuTable(r.webhooks));
  if (r.lag.load.missing + r.lag.idle.missing > 0) {
    lines.push(
      `Events without a covering checkpoint notification: ${r.lag.load.missing + r.lag.idle.missing}.`,
    );
  }
  return lines.join('\n');
}

function webhookRow(w: WebhookResults): string {
  const repeats = w.dispatcher.delivered - w.dispatcher.unique;
  return (
    `| 7 | webhook deliveries to a receiver answering 200 at once, ${int(w.messages)} messages over ` +
    `${w.conversations} conversations, one webhook, ${w.concurrency} in flight ` +
    `| ${int(w.dispatcher.perSecond)} deliveries/s (${w.dispatcher.seconds.toFixed(1)} s` +
    `${repeats > 0 ? `, ${int(repeats)} repeated` : ''}) ` +
    `| bare undici POST loop, same request, ${w.concurrency} at a time, just before and just after: ` +
    `${int((w.bareRates.before + w.bareRates.after) / 2)} req/s (${int(w.bareRates.before)} and ${int(w.bareRates.after)})` +
    `${w.bare.failed ? ` (${int(w.bare.failed)} failed)` : ''} ` +
    `| ${w.ratio.toFixed(2)}${w.ratios ? ` (median of ${w.ratios.length} runs: ${w.ratios.map((r) => r.toFixed(2)).join(', ')})` : ''} ` +
    `| ≥ ${targets.webhookRatio} | ${mark(w.ratio >= targets.webhookRatio)} |`
  );
}

function webhookCpuTable(w: WebhookResults): string {
  const groups = [...new Set([...Object.keys(w.dispatcher.cpu.groups), ...Object.keys(w.bare.cpu.groups)])];
  const cell = (run: WebhookResults['dispatcher'], g: string) =>
    g in run.cpu.groups
      ? `${run.cpu.groups[g]!.toFixed(2)} cores, ${run.cpuPerRequestMs[g]!.toFixed(3)} ms/request`
      : '';
  const sum = (run: WebhookResults['dispatcher']) =>
    Object.values(run.cpuPerRequestMs).reduce((a, b) => a + b, 0);
  return [
    `CPU during (7) (cores of ${w.dispatcher.cpu.cores.toFixed(1)}):`,
    '',
    '| process | dispatcher run | bare loop run (the one after) |',
    '| --- | --- | --- |',
    ...groups.map((g) => `| ${g} | ${cell(w.dispatcher, g)} | ${cell(w.bare, g)} |`),
    `| whole machine | ${w.dispatcher.cpu.machine.toFixed(2)} cores | ${w.bare.cpu.machine.toFixed(2)} cores |`,
    `| CPU per request, the processes above | ${sum(w.dispatcher).toFixed(3)} ms | ${sum(w.bare).toFixed(3)} ms |`,
  ].join('\n');
}

/** The table of `pnpm bench --webhooks`. */
export function printWebhookReport(w: WebhookResults): void {
  console.log(
    [
      '',
      `Webhook benchmark, ${new Date().toISOString()}`,
      '',
      '| # | figure | measured | baseline (same run) | result | target | met |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      webhookRow(w),
      '',
      webhookCpuTable(w),
      '',
    ].join('\n'),
  );
}

export function printReport(r: BenchResults): void {
  console.log(`\n${reportMarkdown(r)}\n`);
}
