import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  type Position,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateReadModels } from '../schema.js';
import { ensureCheckpoint, readCheckpoint, startOfAll } from './checkpoints.js';
import { commitBatch } from './commit-batch.js';
import { coreProjection } from './core-projection.js';
import { tryLockProjection } from './projection-lock.js';
import { rebuildReadModels } from './rebuild.js';

let db: TestDatabase;
let sql: postgres.Sql;
let leader: postgres.Sql;
let store: EventStore;

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 4 });
  leader = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrateReadModels(sql);
  store = createEventStore({ sql, upcasters: eventUpcasters });
});

afterEach(async () => {
  await store?.close();
  await leader?.end();
  await sql?.end();
  await db?.drop();
});

/** Three users, projected; returns the position of the last. */
async function projectedUsers(clientId: string): Promise<Position> {
  let last = startOfAll;
  for (let i = 0; i < 3; i++) {
    const userId = randomUUID();
    ({ position: last } = await store.appendToStream(`user-${userId}`, [
      { type: 'UserCreated', data: { userId, clientId } },
    ]));
  }
  let at = await ensureCheckpoint(sql, 'core');
  while (at.commit !== last.commit || at.prepare !== last.prepare) {
    const events = await store.readAll({ fromPosition: at });
    if (events.length > 0) at = await commitBatch(sql, coreProjection, at, events);
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return last;
}

const users = async (clientId: string) =>
  (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM rm.users WHERE client_id = ${clientId}`)[0]?.n;

it('given a leader holding the lock, a rebuild resets and waits for it, then replays itself once the leader is gone', async () => {
  const clientId = randomUUID();
  const last = await projectedUsers(clientId);
  expect(await tryLockProjection(leader, 'core')).toBe(true);
  let waits = 0;

  const rebuilding = rebuildReadModels(sql, store, {
    until: last,
    pollMs: 5,
    onProgress: (position) => {
      if (position.commit === 0n) waits++;
    },
  });
  await until(() => waits >= 3);

  // reset, and nobody replays while the (idle) leader holds the lock
  expect(await users(clientId)).toBe(0);
  expect(await readCheckpoint(sql, 'core')).toEqual(startOfAll);
  await leader.end();
  const result = await rebuilding;

  expect(result).toEqual({ position: last, replayed: 3 });
  expect(await users(clientId)).toBe(3);
});

it('gives up when the leader does not replay in time', async () => {
  const last = await projectedUsers(randomUUID());
  expect(await tryLockProjection(leader, 'core')).toBe(true);

  const rebuilding = rebuildReadModels(sql, store, { until: last, pollMs: 5, timeoutMs: 100 });

  await expect(rebuilding).rejects.toThrow(/not replayed up to .* in time/);
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
