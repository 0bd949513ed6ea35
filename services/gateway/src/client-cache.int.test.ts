import { randomUUID } from 'node:crypto';
import { migrateReadModels } from '@switchboard/read-models';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientCache, clientsChangedChannel } from './client-cache.js';

let db: TestDatabase;
let sql: postgres.Sql;
let cache: ClientCache;

beforeEach(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 3, onnotice: () => {} });
  await migrateReadModels(sql);
  cache = new ClientCache(sql, 60_000);
  await cache.start();
});
afterEach(async () => {
  await cache.stop();
  await sql.end();
  await db.drop();
});

async function insertClient(tokenHash: string): Promise<string> {
  const id = randomUUID();
  await sql`
    INSERT INTO rm.clients (id, name, token_hash, created_at, updated_at)
    VALUES (${id}, null, ${tokenHash}, now(), now())`;
  return id;
}

/** Changes the row behind the cache's back, as the projector does before it announces the change. */
const rotate = (id: string, tokenHash: string) =>
  sql`UPDATE rm.clients SET token_hash = ${tokenHash} WHERE id = ${id}`;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the client cache', () => {
  it('answers a found client from memory until the projector announces a change to it', async () => {
    const id = await insertClient('hash-1');
    const other = await insertClient('other-1');
    expect((await cache.find(id))?.tokenHash).toBe('hash-1');
    expect((await cache.find(other))?.tokenHash).toBe('other-1');

    await rotate(id, 'hash-2');
    await rotate(other, 'other-2');
    expect((await cache.find(id))?.tokenHash).toBe('hash-1');

    await sql`SELECT pg_notify(${clientsChangedChannel}, ${id})`;
    await until(
      'the announced client to be read again',
      async () => (await cache.find(id))?.tokenHash === 'hash-2',
    );
    // a client the announcement did not name stays cached
    expect((await cache.find(other))?.tokenHash).toBe('other-1');

    await sql`SELECT pg_notify(${clientsChangedChannel}, '*')`;
    await until(
      'every client to be read again',
      async () => (await cache.find(other))?.tokenHash === 'other-2',
    );
  });

  it('reads a client again once this gateway has changed it, or once its time is up', async () => {
    const id = await insertClient('hash-1');
    await cache.find(id);
    await rotate(id, 'hash-2');
    cache.forget(id);
    expect((await cache.find(id))?.tokenHash).toBe('hash-2');

    const brief = new ClientCache(sql, 0);
    await brief.start();
    try {
      await brief.find(id);
      await rotate(id, 'hash-3');
      expect((await brief.find(id))?.tokenHash).toBe('hash-3');
    } finally {
      await brief.stop();
    }
  });

  it('keeps no unknown client, so one created later is found', async () => {
    const id = randomUUID();
    expect(await cache.find(id)).toBeNull();
    await sql`
      INSERT INTO rm.clients (id, name, token_hash, created_at, updated_at)
      VALUES (${id}, null, 'hash', now(), now())`;
    expect((await cache.find(id))?.tokenHash).toBe('hash');
  });
});
