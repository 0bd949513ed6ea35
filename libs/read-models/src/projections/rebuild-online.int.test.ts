import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  comparePositions,
  connectEventStore,
  createEventStore,
  type EventStore,
  type Position,
} from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateReadModels } from '../schema.js';
import { ensureCheckpoint, readCheckpoint } from './checkpoints.js';
import { CheckpointMovedError, commitBatch } from './commit-batch.js';
import { coreProjection } from './core-projection.js';
import { tryLockProjection } from './projection-lock.js';
import { rebuildReadModels } from './rebuild.js';
import { RebuildInProgressError, rebuildOnline } from './rebuild-online.js';

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 5 });
  await migrateReadModels(sql);
  store = createEventStore({ sql, upcasters: eventUpcasters });
});
afterEach(async () => {
  await store?.close();
  await sql?.end();
  await db?.drop();
});

const clientId = randomUUID();

/** A conversation with `count` messages (one append each); returns the last position. */
async function conversationWith(conversationId: string, count: number, from = 1): Promise<Position> {
  const stream = `conversation-${conversationId}`;
  let last: Position | null = null;
  if (from === 1) {
    const userId = randomUUID();
    await store.appendToStream(`user-${userId}`, [{ type: 'UserCreated', data: { userId, clientId } }]);
    last = (
      await store.appendToStream(stream, [
        { type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } },
      ])
    ).position;
  }
  for (let sequence = from; sequence < from + count; sequence++) {
    ({ position: last } = await store.appendToStream(stream, [
      {
        type: 'MessagePosted',
        data: {
          messageId: randomUUID(),
          conversationId,
          clientId,
          sequence,
          authorId: null,
          authorKind: 'bot',
          payload: { type: 'text', text: `m${sequence}` },
          payloadType: 'text',
          payloadKnown: true,
          source: 'api',
          collect: false,
          sentOn: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
        },
      },
    ]));
  }
  return last!;
}

/** Projects into the live tables the way a leader does, until `target`. */
async function projectLive(target: Position): Promise<Position> {
  let at = await ensureCheckpoint(sql, 'core');
  while (comparePositions(at, target) < 0) {
    const events = await store.readAll({ fromPosition: at });
    if (events.length > 0) at = await commitBatch(sql, coreProjection, at, events);
    // Not visible yet (an older transaction still runs): poll again shortly rather than flat out.
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return at;
}

async function dump(): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of [...coreProjection.tables, 'rm.checkpoints']) {
    const rows = await sql.unsafe<{ row: string }[]>(
      `SELECT to_jsonb(t) - 'updated_at' AS row FROM ${table} t ORDER BY 1`,
    );
    tables[table] = rows.map((r) => JSON.stringify(r.row));
  }
  return tables;
}

it('rebuilds into fresh tables while the live ones serve, then switches; prepared statements follow', async () => {
  const conversationId = randomUUID();
  const projected = await projectLive(await conversationWith(conversationId, 5));
  // a broken read model: the rebuild must bring the row back
  await sql`DELETE FROM rm.messages WHERE conversation_id = ${conversationId} AND sequence = 3`;

  // a gateway-like client: one connection, its statement prepared before the switch
  const reader = postgres(db.url, { max: 1, onnotice: () => {} });
  const texts = async () =>
    (
      await reader<{ text: string }[]>`
        SELECT payload->>'text' AS text FROM rm.messages WHERE conversation_id = ${conversationId}
        ORDER BY sequence`
    ).map((r) => r.text);
  try {
    expect(await texts()).toEqual(['m1', 'm2', 'm4', 'm5']);

    let duringSwitchPrep: string[] | null = null;
    const result = await rebuildOnline(sql, store, {
      batchSize: 3,
      beforeSwitch: async () => {
        // the live tables still serve, untouched; events appended now are applied by the switch itself
        duringSwitchPrep = await texts();
        await conversationWith(conversationId, 2, 6);
      },
    });

    expect(duringSwitchPrep).toEqual(['m1', 'm2', 'm4', 'm5']);
    expect(await texts()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const head = (await store.headPosition())!;
    expect(result.position).toEqual(head);
    expect(await readCheckpoint(sql, 'core')).toEqual(head);
    expect(result.keptSchema).toBeNull();
    const schemas = await sql<{ name: string }[]>`
      SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'rm%' ORDER BY 1`;
    expect(schemas.map((s) => s.name)).toEqual(['rm']);

    // a writer that last saw the old checkpoint finds it moved, and resumes from the rebuilt one
    const late = await store.readAll({ fromPosition: projected });
    await expect(commitBatch(sql, coreProjection, projected, late)).rejects.toBeInstanceOf(
      CheckpointMovedError,
    );

    // identical to a projection from scratch
    const rebuilt = await dump();
    await rebuildReadModels(sql, store, { until: head });
    expect(await dump()).toEqual(rebuilt);
  } finally {
    await reader.end();
  }
});

it('keeps the old tables when asked, and refuses a second rebuild at the same time', async () => {
  await projectLive(await conversationWith(randomUUID(), 2));
  const other = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    expect(await tryLockProjection(other, 'rm:rebuild')).toBe(true);
    await expect(rebuildOnline(sql, store)).rejects.toBeInstanceOf(RebuildInProgressError);
  } finally {
    await other.end();
  }
  const { keptSchema } = await rebuildOnline(sql, store, { keepOld: true });
  expect(keptSchema).toMatch(/^rm_old_\d+$/);
  const [old] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${keptSchema}.messages`);
  expect(old?.n).toBe(2);
  // the old checkpoints are spoiled, so no writer can carry on there
  const [spoiled] = await sql.unsafe<{ commit: string }[]>(
    `SELECT commit_position::text AS commit FROM ${keptSchema}.checkpoints WHERE projection = 'core'`,
  );
  expect(spoiled?.commit).toBe('-1');
});
