import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { connectEventStore } from './connect.js';
import { createEventStore } from './event-store.js';
import { migrate } from './migrate.js';
import { comparePositions } from './position.js';
import type { AllSubscription, EventStore, Position, RecordedEvent, Upcaster } from './types.js';

/** Integration-test fixture: a fresh database (migrated again, to prove idempotency), a pool, a store. */
export interface TestStore {
  db: TestDatabase;
  sql: postgres.Sql;
  store: EventStore;
  close(): Promise<void>;
}

export async function openTestStore(
  opts: { upcasters?: Upcaster[]; pollIntervalMs?: number; max?: number } = {},
): Promise<TestStore> {
  const db = await createTestDatabase();
  await migrate(db.url);
  const sql = connectEventStore(db.url, { max: opts.max ?? 8 });
  const store = createEventStore({
    sql,
    upcasters: opts.upcasters ?? [],
    pollIntervalMs: opts.pollIntervalMs ?? 100,
  });
  return {
    db,
    sql,
    store,
    async close() {
      await store.close();
      await sql.end();
      await db.drop();
    },
  };
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Drains a subscription in the background into `events`. */
export function collect(subscription: AllSubscription): { events: RecordedEvent[]; done: Promise<void> } {
  const events: RecordedEvent[] = [];
  const done = (async () => {
    for await (const e of subscription) events.push(e);
  })();
  return { events, done };
}

/**
 * Waits until $all readers see `position`: they stop at the oldest transaction still running anywhere
 * in the cluster, so right after an append its events may not be visible yet.
 */
export async function untilVisible(store: EventStore, position: Position): Promise<void> {
  await eventually(async () => {
    const head = await store.headPosition();
    return head !== null && comparePositions(head, position) >= 0;
  }, 20_000);
}
