import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './processes.js';

export interface BenchOptions {
  /** Seconds of each POST run, (1) and (2). */
  postS: number;
  /** Seconds of each GET run, (3). */
  getS: number;
  /** Seconds of the alternating long/new conversation run, (4). */
  appendS: number;
  /** Seconds of warm-up load before the measured runs. */
  warmupS: number;
  connections: number;
  conversations: number;
  /** Conversations of `readMessages` messages that (3) reads. */
  readConversations: number;
  readMessages: number;
  /** Messages of the long conversation of (4). */
  longMessages: number;
  /** Messages the webhook dispatcher delivers in (7); 0 leaves (7) out. */
  webhookMessages: number;
  /** Only (7), the webhook deliveries. */
  webhooksOnly: boolean;
  /** Times (7) is run; the run with the median ratio is reported, with every run's ratio. */
  webhookRuns: number;
  /** Folder for V8 CPU profiles of every process, or null. */
  cpuProfDir: string | null;
  /** File the results are written to as JSON. */
  json: string;
  /** Extra environment for the services, KEY=VALUE. */
  env: Record<string, string>;
  echo: boolean;
}

export const usage = `pnpm bench [options]

  --quick              short run (5 s loads, a 20,000-message conversation): about a minute
  --post-seconds N     length of each POST run, (1) and (2) (default 20)
  --get-seconds N      length of each GET run, (3) (default 10)
  --long N             messages in the long conversation of (4) (default 200000)
  --webhooks           only (7), webhook deliveries/s against a bare undici loop: about a minute
  --webhook-messages N messages the dispatcher delivers in (7) (default 10000, --quick 3000; 0 leaves (7) out)
  --webhook-runs N     run (7) N times and report the run with the median ratio (default 1)
  --cpu-prof           write a V8 CPU profile of every process to bench/.data/profiles/<time>/
  --cpu-prof-dir DIR   the same, to DIR
  --env KEY=VALUE      extra environment for every service (repeatable), e.g. PROJECTOR_BATCH_SIZE=1000
  --json FILE          where to write the results (default bench/.data/results/latest.json)
  --echo               show the services' output
  --help`;

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'post-seconds': { type: 'string' },
      'get-seconds': { type: 'string' },
      long: { type: 'string' },
      webhooks: { type: 'boolean', default: false },
      'webhook-messages': { type: 'string' },
      'webhook-runs': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'cpu-prof-dir': { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      json: { type: 'string' },
      echo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) return null;
  const quick = values.quick;
  const number = (value: string | undefined, fallback: number, name: string, zeroAllowed = false) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)) {
      throw new Error(`--${name} must be a ${zeroAllowed ? 'number ≥ 0' : 'positive number'}`);
    }
    return n;
  };
  const env: Record<string, string> = {};
  for (const pair of values.env) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--env ${pair}: expected KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (
    values.webhooks &&
    values['webhook-messages'] !== undefined &&
    Number(values['webhook-messages']) === 0
  ) {
    throw new Error('--webhooks with --webhook-messages 0 would measure nothing');
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    postS: number(values['post-seconds'], quick ? 5 : 20, 'post-seconds'),
    getS: number(values['get-seconds'], quick ? 4 : 10, 'get-seconds'),
    appendS: quick ? 5 : 10,
    warmupS: quick ? 2 : 3,
    connections: 50,
    conversations: 100,
    readConversations: 10,
    readMessages: 1_000,
    longMessages: Math.round(number(values.long, quick ? 20_000 : 200_000, 'long')),
    webhookMessages: Math.round(
      number(values['webhook-messages'], quick ? 3_000 : 10_000, 'webhook-messages', true),
    ),
    webhooksOnly: values.webhooks,
    webhookRuns: Math.round(number(values['webhook-runs'], 1, 'webhook-runs')),
    cpuProfDir:
      values['cpu-prof'] || values['cpu-prof-dir']
        ? (values['cpu-prof-dir'] ?? join(root, 'bench', '.data', 'profiles', stamp))
        : null,
    json: values.json ?? join(root, 'bench', '.data', 'results', 'latest.json'),
    env,
    echo: values.echo,
  };
}
