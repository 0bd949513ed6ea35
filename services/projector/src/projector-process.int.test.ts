import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  type Position,
} from '@switchboard/event-store';
import { readCheckpoint } from '@switchboard/read-models';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { atOrAfter, botMessage, until, waitForCheckpoint } from './testing/workload.js';

const root = join(import.meta.dirname, '..', '..', '..');

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 12 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await store?.close();
  await sql?.end();
  await db?.drop();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/** The projector as its own OS process, started the way production starts it. */
async function spawnProjector() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('services', 'projector', 'src', 'main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        HEALTH_PORT: String(port),
        LOG_LEVEL: 'warn',
        PROJECTOR_BATCH_SIZE: '50',
        PROJECTOR_STANDBY_RETRY_MS: '50',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
    } catch {
      return false;
    }
  };
  await until(async () => child.exitCode === null && (await ready()), 20_000, 'projector ready');
  return { child, output };
}

const messageCount = async () =>
  (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM rm.messages`)[0]?.n ?? 0;

it('converges with no duplicate and no missing message when killed mid-stream and restarted', async () => {
  const conversations = 10;
  const perConversation = 500;
  const clientId = randomUUID();
  const userId = randomUUID();
  const ids = Array.from({ length: conversations }, () => randomUUID());
  for (const conversationId of ids) {
    await store.appendToStream(
      `conversation-${conversationId}`,
      [{ type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } }],
      { expectedState: 'no_stream' },
    );
  }
  const first = await spawnProjector();

  let appended = 0;
  let last: Position = { commit: 0n, prepare: 0n };
  const appending = Promise.all(
    ids.map(async (conversationId) => {
      for (let sequence = 1; sequence <= perConversation; sequence++) {
        const message = botMessage(
          conversationId,
          clientId,
          sequence,
          new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
        );
        const { position } = await store.appendToStream(`conversation-${conversationId}`, [message], {
          expectedState: BigInt(sequence - 1),
        });
        appended++;
        if (atOrAfter(position, last)) last = position;
      }
    }),
  );
  await until(async () => (await messageCount()) >= 1000, 20_000, '1000 messages projected');
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  const appendedAtKill = appended;
  const projectedAtKill = await messageCount();

  const second = await spawnProjector();
  await appending;
  await waitForCheckpoint(sql, last, 30_000);

  expect(appendedAtKill).toBeLessThan(conversations * perConversation);
  expect(projectedAtKill).toBeLessThan(conversations * perConversation);
  const perConversationRows = await sql<
    { id: string; n: number; distinct: number; lo: number; hi: number; last: number }[]
  >`
    SELECT c.id, count(m.id)::int AS n, count(DISTINCT m.sequence)::int AS distinct,
           min(m.sequence)::int AS lo, max(m.sequence)::int AS hi, c.last_sequence::int AS last
    FROM rm.conversations c LEFT JOIN rm.messages m ON m.conversation_id = c.id
    GROUP BY c.id, c.last_sequence ORDER BY c.id`;
  expect(perConversationRows).toEqual(
    [...ids].sort().map((id) => ({
      id,
      n: perConversation,
      distinct: perConversation,
      lo: 1,
      hi: perConversation,
      last: perConversation,
    })),
  );
  expect(second.output.join('')).not.toMatch(/projection failed/);

  // SIGTERM: the batch in flight commits, the process exits cleanly
  second.child.kill('SIGTERM');
  const [code] = await once(second.child, 'exit');
  expect(code).toBe(0);
  expect(await readCheckpoint(sql, 'core')).toEqual(last);
}, 90_000);

it('rebuilds from the command line into read models identical to those projected live', async () => {
  const projector = await spawnProjector();
  const clientId = randomUUID();
  let last: Position = { commit: 0n, prepare: 0n };
  for (let c = 0; c < 3; c++) {
    const conversationId = randomUUID();
    await store.appendToStream(`conversation-${conversationId}`, [
      {
        type: 'ConversationStarted',
        data: { conversationId, clientId, userId: randomUUID(), kind: 'direct' },
      },
    ]);
    for (let sequence = 1; sequence <= 20; sequence++) {
      const message = botMessage(
        conversationId,
        clientId,
        sequence,
        new Date(Date.UTC(2026, 1, c + 1, 0, 0, sequence)),
      );
      ({ position: last } = await store.appendToStream(`conversation-${conversationId}`, [message]));
    }
  }
  await waitForCheckpoint(sql, last);
  // the command line rebuilds up to the head of `$all` it sees; make sure that includes `last`
  await until(async () => atOrAfter(await store.headPosition(), last));
  projector.child.kill('SIGTERM');
  await once(projector.child, 'exit');
  const dump = async () =>
    (
      await sql<{ row: string }[]>`
      SELECT to_jsonb(t)::text AS row FROM (
        SELECT 'c' AS k, to_jsonb(c) AS r FROM rm.conversations c UNION ALL
        SELECT 'm', to_jsonb(m) FROM rm.messages m) t ORDER BY 1`
    ).map((r) => r.row);
  const before = await dump();
  await sql`DELETE FROM rm.messages WHERE sequence > 10`;

  const cli = spawn(
    process.execPath,
    ['--import', 'tsx', join('services', 'projector', 'src', 'rebuild.ts')],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    },
  );
  children.add(cli);
  const [code] = await once(cli, 'exit');

  expect(code).toBe(0);
  expect(before).toHaveLength(63);
  expect(await dump()).toEqual(before);
}, 60_000);
