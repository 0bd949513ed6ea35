import { randomUUID } from 'node:crypto';
import { createEventStore, type EventStore, migrate, StreamNotFoundError } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamEvents } from './stream-events.js';

describe('streamEvents', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let store: EventStore;
  // More than two pages of 500, so every read below crosses a page boundary.
  const count = 1_203;
  const stream = `thing-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url);
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    store = createEventStore({ sql, upcasters: [] });
    await store.appendToStream(
      stream,
      Array.from({ length: count }, (_, n) => ({ type: 'Counted', data: { n } })),
    );
  });
  afterAll(async () => {
    await store.close();
    await sql.end();
    await db.drop();
  });

  const read = async (options: Parameters<typeof streamEvents>[2]) => {
    const revisions: number[] = [];
    for await (const event of streamEvents(store, stream, options)) revisions.push(Number(event.revision));
    return revisions;
  };
  const range = (from: number, to: number) =>
    Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

  it('reads every event oldest first, page after page', async () => {
    expect(await read({})).toEqual(range(0, count - 1));
  });

  it('reads from a revision, at most a limit', async () => {
    expect(await read({ from: 450n, limit: 600 })).toEqual(range(450, 1_049));
  });

  it('reads newest first from the end, down to the first event', async () => {
    expect(await read({ direction: 'backwards' })).toEqual(range(count - 1, 0));
  });

  it('reads backwards from a revision, at most a limit', async () => {
    expect(await read({ direction: 'backwards', from: 1_100n, limit: 700 })).toEqual(range(1_100, 401));
  });

  it('throws for a stream that does not exist', async () => {
    await expect(
      (async () => {
        for await (const _ of streamEvents(store, `thing-${randomUUID()}`)) break;
      })(),
    ).rejects.toBeInstanceOf(StreamNotFoundError);
  });
});
