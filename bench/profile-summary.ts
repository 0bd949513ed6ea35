/**
 * Summarises V8 CPU profiles (`--cpu-prof`): for each process, the share of its samples spent in each
 * package (self time) and its hottest functions. `pnpm bench --cpu-prof` prints it at the end; run it
 * alone with `npx tsx bench/profile-summary.ts <dir> [top]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/.pnpm/x@1/node_modules/fastify/lib/a.js` → `fastify`; our code → its workspace folder. */
function packageOf(url: string): string {
  if (!url) return '(native/idle)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = /\/(libs|services|bench)\/([^/]+)\//.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

export function summariseProfile(file: string, top: number, label = basename(file, '.cpuprofile')): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const where = url
      ? `${url.replace(/^.*\/(node_modules|libs|services|bench)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + dt);
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + dt);
  });
  const pct = (v: number) => `${((100 * v) / Math.max(total, 1)).toFixed(1).padStart(5)}%`;
  const lines = [
    `== ${label}: ${(total / 1e6).toFixed(1)} s on CPU, ${(idle / 1e6).toFixed(1)} s idle`,
    '  by package (self):',
    ...[...selfByPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, v]) => `    ${pct(v)}  ${name}`),
    '  hottest functions (self):',
    ...[...selfByFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, v]) => `    ${pct(v)}  ${name}`),
  ];
  return lines.join('\n');
}

/**
 * `dir` holds a folder per process; each process writes one profile per thread, named
 * `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`: thread 0 is the main thread (the other one is
 * tsx's module loader, busy only while the process starts).
 */
export function summariseProfiles(dir: string, top = 12): string {
  const summaries: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    // A restarted process leaves one profile per run: the busiest is the one that carried the load.
    const main = readdirSync(join(dir, entry.name))
      .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
      .map((f) => join(dir, entry.name, f))
      .map((f) => ({ f, samples: (JSON.parse(readFileSync(f, 'utf8')) as CpuProfile).samples.length }))
      .sort((a, b) => b.samples - a.samples)[0];
    if (main) summaries.push(summariseProfile(main.f, top, entry.name));
  }
  return summaries.join('\n\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx bench/profile-summary.ts <dir> [top]');
    process.exit(2);
  }
  console.log(summariseProfiles(dir, Number(process.argv[3] ?? 15)));
}
