/**
 * The webhook benchmark's baseline: a bare undici POST loop, run as its own process. `CONCURRENCY`
 * loops post the same request (a real delivery's headers and body, in SAMPLE as JSON) to URL until
 * COUNT requests were answered, over one keep-alive pool as the dispatcher's sender uses; prints
 * `RESULT <json>`. Bounded by count and by MAX_SECONDS.
 */
import { Agent, request } from 'undici';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const url = env('URL');
const count = Number(env('COUNT'));
const concurrency = Number(env('CONCURRENCY'));
const deadline = Date.now() + Number(env('MAX_SECONDS')) * 1000;
const sample = JSON.parse(env('SAMPLE')) as { headers: Record<string, string>; body: string };
const headers = { ...sample.headers, 'x-bench-bare': '1' };
const agent = new Agent({ keepAliveTimeout: 10_000 });

let sent = 0;
let failed = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < count && Date.now() < deadline) {
      sent++;
      try {
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          headers,
          body: sample.body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.body.dump();
        if (res.statusCode !== 200) failed++;
      } catch {
        failed++;
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(
  `RESULT ${JSON.stringify({ sent, failed, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);
await agent.close();
process.exit(0);
