/**
 * The load generator, run by `bench/run.ts` as its own process so that the load it makes does not
 * share an event loop with anything it measures. Reads a LoadSpec (JSON file named by argv[2]), runs
 * its autocannon runs at the same time, and prints one `RESULT <json>` line with a LoadResult per run.
 * Every run is bounded by time (`durationS`) and by count (`maxRequests`).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec, RunSpec } from './lib/load-spec.js';
import { summarise } from './lib/stats.js';

type RunResult = Omit<LoadResult, 'loadCpuSeconds'>;

function byTarget(spec: RunSpec, latencies: number[]): RunResult['targets'] {
  if (!spec.perTarget) return undefined;
  if (spec.connections !== 1) throw new Error(`${spec.label}: perTarget needs one connection`);
  const targets = (spec.bodies ?? spec.paths).length;
  return Array.from({ length: targets }, (_, t) => {
    const mine = latencies.filter((_, i) => i % targets === t);
    return { latency: summarise(mine), first: mine.slice(0, spec.keepFirst ?? 0) };
  });
}

function run(spec: RunSpec): Promise<RunResult> {
  let next = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationS,
        maxOverallRequests: Math.max(spec.maxRequests, spec.connections),
        timeout: 10,
        ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
        requests: [
          {
            method: spec.method,
            headers: { ...spec.headers, ...(spec.bodies ? { 'content-type': 'application/json' } : {}) },
            // Round robin over the targets (conversations), across every connection.
            setupRequest: (request) => {
              const i = next++;
              const path = spec.paths[i % spec.paths.length]!;
              const body = spec.bodies?.[i % spec.bodies.length];
              return { ...request, path, ...(body === undefined ? {} : { body }) };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = result.duration > 0 ? result.duration : spec.durationS;
        resolve({
          label: spec.label,
          requests: latencies.length,
          seconds,
          rps: result['2xx'] / seconds,
          latency: summarise(latencies),
          first: latencies.slice(0, spec.keepFirst ?? 0),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statuses,
          ...(spec.perTarget ? { targets: byTarget(spec, latencies) } : {}),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
const results = await Promise.all(spec.runs.map(run));
const cpu = process.cpuUsage();
const loadCpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(`RESULT ${JSON.stringify(results.map((r) => ({ ...r, loadCpuSeconds })))}\n`);
process.exit(0);
