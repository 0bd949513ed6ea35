import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateReadModels } from '../schema.js';
import { clientsChangedChannel } from './client-rows.js';
import { projectBatch } from './project-batch.js';
import { recorder, tokenHash } from './testing/recorded.js';

let db: TestDatabase;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 4, onnotice: () => {} });
  await migrateReadModels(sql);
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

/** Applies each batch in its own transaction; returns what was announced on `rm_clients`, in order. */
async function announced(...batches: RecordedEvent[][]): Promise<string[]> {
  const heard: string[] = [];
  const { unlisten } = await sql.listen(clientsChangedChannel, (payload) => heard.push(payload));
  try {
    for (const batch of batches) await sql.begin((tx) => projectBatch(tx, batch));
    // a marker sent after the batches arrives after anything they announced
    await sql`SELECT pg_notify(${clientsChangedChannel}, 'end')`;
    const deadline = Date.now() + 5_000;
    while (!heard.includes('end')) {
      if (Date.now() > deadline) throw new Error('the marker notification did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return heard.filter((p) => p !== 'end');
  } finally {
    await unlisten();
  }
}

describe('client announcements', () => {
  it('given a batch that changes clients, when it commits, then it names each of them once', async () => {
    const { record } = recorder();
    const a = randomUUID();
    const b = randomUUID();

    const heard = await announced([
      record('ClientCreated', { clientId: a, tokenHash: tokenHash('a') }),
      record('ClientCreated', { clientId: b, tokenHash: tokenHash('b') }),
      record('UserCreated', { userId: randomUUID(), clientId: a }),
      record('ClientTokenRotated', { clientId: a, tokenHash: tokenHash('c') }),
    ]);

    expect(heard).toHaveLength(1);
    expect(heard[0]!.split(',').sort()).toEqual([a, b].sort());
  });

  it('given batches that change no client, when they commit, then nothing is announced', async () => {
    const { record } = recorder();
    const clientId = randomUUID();

    const heard = await announced(
      [record('UserCreated', { userId: randomUUID(), clientId })],
      [record('UserCreated', { userId: randomUUID(), clientId })],
    );

    expect(heard).toEqual([]);
  });
});
