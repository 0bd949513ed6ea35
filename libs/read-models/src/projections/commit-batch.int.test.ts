import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  type RecordedEvent,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateReadModels } from '../schema.js';
import { checkpointChannel, ensureCheckpoint, readCheckpoint, startOfAll } from './checkpoints.js';
import { CheckpointMovedError, commitBatch } from './commit-batch.js';
import { coreProjection, type Projection } from './core-projection.js';

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 4 });
  await migrateReadModels(sql);
  store = createEventStore({ sql, upcasters: eventUpcasters });
});

afterEach(async () => {
  await store?.close();
  await sql?.end();
  await db?.drop();
});

async function createUsers(clientId: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const userId of ids) {
    await store.appendToStream(`user-${userId}`, [{ type: 'UserCreated', data: { userId, clientId } }], {
      expectedState: 'no_stream',
    });
  }
  return ids;
}

/**
 * Every event appended so far, once `$all` shows them all: a transaction still running anywhere on the
 * server (another test's) holds back what committed after it began.
 */
async function allEvents(count: number): Promise<RecordedEvent[]> {
  let events: RecordedEvent[] = [];
  await until(async () => {
    events = await store.readAll();
    return events.length === count;
  });
  return events;
}

const userIds = async (clientId: string) =>
  (
    await sql<{ id: string }[]>`SELECT id FROM rm.users WHERE client_id = ${clientId} ORDER BY created_at, id`
  ).map((r) => r.id);

describe('commitBatch', () => {
  it('given events in the store, when a batch is committed, then its rows, the checkpoint and a notification move together', async () => {
    const clientId = randomUUID();
    const created = await createUsers(clientId, 3);
    const events = await allEvents(3);
    const notified: string[] = [];
    const { unlisten } = await sql.listen(checkpointChannel, (payload) => notified.push(payload));
    const after = await ensureCheckpoint(sql, 'core');

    const to = await commitBatch(sql, coreProjection, after, events);

    const last = events[events.length - 1]!.position;
    expect(to).toEqual(last);
    expect(await readCheckpoint(sql, 'core')).toEqual(last);
    expect(new Set(await userIds(clientId))).toEqual(new Set(created));
    await until(() => notified.length > 0);
    expect(notified).toEqual([`core:${last.commit}:${last.prepare}`]);
    await unlisten();
  });

  it('when a committed batch is committed again from the same checkpoint, then it is refused and applied once', async () => {
    const clientId = randomUUID();
    await createUsers(clientId, 2);
    const events = await allEvents(2);
    const after = await ensureCheckpoint(sql, 'core');
    await commitBatch(sql, coreProjection, after, events);

    const again = commitBatch(sql, coreProjection, after, events);

    await expect(again).rejects.toThrow(CheckpointMovedError);
    expect(await userIds(clientId)).toHaveLength(2);
  });

  it('when the projection fails midway, then neither its rows nor the checkpoint move', async () => {
    const clientId = randomUUID();
    await createUsers(clientId, 2);
    const events = await allEvents(2);
    const after = await ensureCheckpoint(sql, 'core');
    const failing: Projection = {
      ...coreProjection,
      async project(tx, batch) {
        await coreProjection.project(tx, batch);
        throw new Error('crash before commit');
      },
    };

    await expect(commitBatch(sql, failing, after, events)).rejects.toThrow('crash before commit');

    expect(await readCheckpoint(sql, 'core')).toEqual(startOfAll);
    expect(await userIds(clientId)).toEqual([]);
    // the batch is read again and applied once
    await commitBatch(sql, coreProjection, after, events);
    expect(await userIds(clientId)).toHaveLength(2);
  });

  it('moves the checkpoint past events it does not project', async () => {
    await store.appendToStream(`ledger-${randomUUID()}`, [{ type: 'InvoiceIssued', data: { amount: 3 } }]);
    const events = await allEvents(1);

    const to = await commitBatch(sql, coreProjection, await ensureCheckpoint(sql, 'core'), events);

    expect(await readCheckpoint(sql, 'core')).toEqual(to);
    expect(to).toEqual(events[0]!.position);
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
