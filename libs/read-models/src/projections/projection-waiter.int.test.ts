import { connectEventStore } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateReadModels } from '../schema.js';
import { advanceCheckpoint, ensureCheckpoint } from './checkpoints.js';
import { ProjectionWaiter } from './projection-waiter.js';

let db: TestDatabase;
let sql: postgres.Sql;
let waiter: ProjectionWaiter;

const at = (commit: number, prepare: number) => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 3 });
  await migrateReadModels(sql);
  await ensureCheckpoint(sql, 'core');
});

afterEach(async () => {
  await waiter?.stop();
  await sql?.end();
  await db?.drop();
});

describe('ProjectionWaiter', () => {
  it('given a wait on a later position, when the projector commits past it, then the notification ends the wait', async () => {
    // A poll far apart: only the notification can end the wait in time.
    waiter = new ProjectionWaiter(sql, 'core', 60_000);
    await waiter.start();
    const waiting = waiter.waitFor(at(10, 5), 10_000);
    await sql.begin((tx) => advanceCheckpoint(tx, 'core', at(10, 4)));
    await sql.begin((tx) => advanceCheckpoint(tx, 'core', at(10, 5)));
    await expect(waiting).resolves.toBe(true);
    // Reached already: answered without waiting.
    await expect(waiter.waitFor(at(9, 99), 0)).resolves.toBe(true);
  });

  it('given a checkpoint moved without a notification, then the poll finds it', async () => {
    waiter = new ProjectionWaiter(sql, 'core', 20);
    await waiter.start();
    const waiting = waiter.waitFor(at(3, 1), 10_000);
    await sql`UPDATE rm.checkpoints SET commit_position = 3, prepare_position = 1 WHERE projection = 'core'`;
    await expect(waiting).resolves.toBe(true);
  });

  it('given another projection or a position not reached, then the wait ends false at its time limit or on abort', async () => {
    waiter = new ProjectionWaiter(sql, 'core', 60_000);
    await waiter.start();
    const timedOut = waiter.waitFor(at(5, 0), 200);
    await sql.begin((tx) => advanceCheckpoint(tx, 'other', at(6, 0)));
    await expect(timedOut).resolves.toBe(false);

    const controller = new AbortController();
    const abandoned = waiter.waitFor(at(5, 0), 10_000, controller.signal);
    controller.abort();
    await expect(abandoned).resolves.toBe(false);
    await expect(waiter.waitFor(at(5, 0), 10_000, controller.signal)).resolves.toBe(false);
  });

  it('given waits in progress, when stopped, then they end false', async () => {
    waiter = new ProjectionWaiter(sql, 'core', 60_000);
    await waiter.start();
    const waiting = waiter.waitFor(at(7, 0), 10_000);
    await waiter.stop();
    await expect(waiting).resolves.toBe(false);
  });
});
