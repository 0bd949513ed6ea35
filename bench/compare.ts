/**
 * Puts the headline figures of several `pnpm bench` runs side by side, as a markdown table:
 *
 *   npx tsx bench/compare.ts before=bench/.data/results/a.json after=bench/.data/results/b.json …
 *
 * Each argument is `label=file` (or just a file). On a shared machine, read a run with the last row:
 * the CPU that other work on the machine took while (1) ran.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type BenchResults, headline } from './lib/report.js';

const runs = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [basename(arg, '.json'), arg];
  return { label, r: JSON.parse(readFileSync(file, 'utf8')) as BenchResults };
});
if (runs.length === 0) {
  console.error('usage: npx tsx bench/compare.ts [label=]results.json …');
  process.exit(2);
}

const ms = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(n < 10 ? 1 : 0)}`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ours = (c: BenchResults['cpu']['post']) => Object.values(c.groups).reduce((a, b) => a + b, 0);

const rows: [string, (r: BenchResults) => string][] = [
  ['(1) POST req/s', (r) => int(r.post.rps)],
  ['(1) p50 / p99 ms', (r) => `${ms(r.post.latency.p50)} / ${ms(r.post.latency.p99)}`],
  ['(1) errors', (r) => int(r.post.errors + r.post.non2xx)],
  ['(2) baseline req/s', (r) => int(r.baselinePost.rps)],
  ['(1)/(2)', (r) => headline(r).ratio.toFixed(2)],
  ['(3) GET req/s, p99 ms', (r) => `${int(r.get.rps)}, ${ms(r.get.latency.p99)}`],
  ['(3) baseline GET req/s, p99 ms', (r) => `${int(r.baselineGet.rps)}, ${ms(r.baselineGet.latency.p99)}`],
  ['(4) p50 long ÷ new', (r) => headline(r).appendRatio.toFixed(2)],
  [
    '(4) first post to the long conversation after a restart, ms: no snapshot / with one',
    (r) => {
      const h = headline(r);
      return `${ms(h.long?.first[0])} / ${ms(h.longAfterSnapshot?.first[0])}`;
    },
  ],
  ['(5) lag under (1), p50 / p99 ms', (r) => `${ms(r.lag.load.p50)} / ${ms(r.lag.load.p99)}`],
  ['(5) lag, one connection, p50 / p99 ms', (r) => `${ms(r.lag.idle.p50)} / ${ms(r.lag.idle.p99)}`],
  [
    '(6) peak RSS under (1), MB (ch / relay / proj / gw)',
    (r) =>
      ['command-handler', 'relay', 'projector', 'gateway']
        .map((s) => (r.memory.afterPost[s]?.peak ?? Number.NaN).toFixed(0))
        .join(' / '),
  ],
  ['CPU per request in (1), ms', (r) => ((ours(r.cpu.post) * 1000) / r.post.rps).toFixed(2)],
  ['CPU per request in (2), ms', (r) => ((ours(r.cpu.baseline) * 1000) / r.baselinePost.rps).toFixed(2)],
  [
    'other work on the machine during (1), cores',
    (r) =>
      Math.max(0, r.cpu.post.machine - ours(r.cpu.post) - r.post.loadCpuSeconds / r.post.seconds).toFixed(2),
  ],
];

console.log(`| figure | ${runs.map((x) => x.label).join(' | ')} |`);
console.log(`| --- | ${runs.map(() => '---').join(' | ')} |`);
for (const [name, value] of rows) console.log(`| ${name} | ${runs.map((x) => value(x.r)).join(' | ')} |`);
