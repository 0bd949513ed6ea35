import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, appendEvents, awaitPublished, eventually } from './test-support.js';

const root = join(import.meta.dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RelayProcess {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<number | null>;
}

let db: TestDatabase;
let nats: TestNats;
let sql: postgres.Sql;
let store: EventStore;
const processes: RelayProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  sql = connectEventStore(db.url, { max: 2 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
});
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await store.close();
  await sql.end();
  await nats.close();
  await db.drop();
});

async function spawnRelay(): Promise<RelayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join('services', 'relay', 'src', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      HEALTH_PORT: String(port),
      LEADER_RETRY_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const relay = { child, port, output, exited };
  processes.push(relay);
  return relay;
}

/** The relay's readiness checks once it answers ready. */
async function readiness(relay: RelayProcess): Promise<Record<string, boolean>> {
  return eventually(
    `relay on port ${relay.port} ready`,
    async () => {
      if (relay.child.exitCode !== null) throw new Error(`relay exited:\n${relay.output.join('')}`);
      const res = await fetch(`http://127.0.0.1:${relay.port}/readyz`).catch(() => undefined);
      if (!res?.ok) return undefined;
      return ((await res.json()) as { checks: Record<string, boolean> }).checks;
    },
    30_000,
  );
}

describe('relay processes', () => {
  it('a standby process takes over from a leader killed with SIGKILL, with no gap and no repeat', async () => {
    const eventsStream = `${nats.namespace.toUpperCase()}_EVENTS`;
    const tenant = randomUUID();
    const first = await spawnRelay();
    expect(await readiness(first)).toMatchObject({ leader: true });
    const second = await spawnRelay();
    expect(await readiness(second)).toEqual({ nats: true, database: true, relay: true, standby: true });

    await appendEvents(store, tenant, 10);
    await awaitPublished(nats.nc, eventsStream, 10);

    first.child.kill('SIGKILL');
    await first.exited;
    await appendEvents(store, tenant, 10);
    const messages = await awaitPublished(nats.nc, eventsStream, 20);
    expect(messages.map((m) => m.msgId)).toEqual((await allEvents(store)).map((e) => e.id));
    expect(await readiness(second)).toMatchObject({ leader: true });

    // SIGTERM drains and exits cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
