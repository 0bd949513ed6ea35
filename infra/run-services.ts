// Runs every service of the workspace as its own process, as production would, with their output
// prefixed by name. One service dying stops the rest; SIGINT/SIGTERM drains them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';

const root = join(import.meta.dirname, '..');

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT 1 AS found FROM pg_database WHERE datname = ${name}`;
    if (!row) {
      await sql.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.log(`[run] created database ${name}`);
    }
  } finally {
    await sql.end();
  }
}

function servicesToRun(only: string[]): string[] {
  const dir = join(root, 'services');
  const all = existsSync(dir)
    ? readdirSync(dir).filter((name) => existsSync(join(dir, name, 'src', 'main.ts')) && name !== 'cli')
    : [];
  return only.length ? all.filter((name) => only.includes(name)) : all;
}

// The connector is one program run once per channel, each with its own health port (3110, 3111, …).
const CHANNELS = (
  process.env.CONNECTOR_CHANNELS ?? 'telegram,slack,twilio,vonage,messenger,teams,smooch,email'
)
  .split(',')
  .map((c) => c.trim())
  .filter(Boolean);

interface Instance {
  name: string;
  service: string;
  env: NodeJS.ProcessEnv;
}

function instancesOf(service: string): Instance[] {
  if (service !== 'connector') return [{ name: service, service, env: process.env }];
  return CHANNELS.map((channel, i) => ({
    name: `connector-${channel}`,
    service,
    env: { ...process.env, CHANNEL: channel, HEALTH_PORT: String(3110 + i) },
  }));
}

function start({ name, service, env }: Instance): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join('services', service, 'src', 'main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  pipe(child.stdout!, process.stdout);
  pipe(child.stderr!, process.stderr);
  return child;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set (see .env.example)');
await ensureDatabase(databaseUrl);

const names = servicesToRun(process.argv.slice(2));
if (names.length === 0) {
  console.log('[run] NATS and PostgreSQL are up; there is no service to start yet.');
  process.exit(0);
}
const instances = names.flatMap(instancesOf);
const children = new Map(instances.map((instance) => [instance.name, start(instance)]));
console.log(`[run] started ${[...children.keys()].join(', ')}`);

let stopping = false;
const stopAll = (code: number) => {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 30_000);
  Promise.all(
    [...children.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))),
  ).then(() => {
    clearTimeout(timer);
    process.exit(code);
  });
};

for (const [name, child] of children) {
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[run] ${name} exited (${signal ?? code}); stopping the others`);
    stopAll(1);
  });
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
