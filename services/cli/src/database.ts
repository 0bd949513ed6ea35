import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import type postgres from 'postgres';
import { type CliIo, UsageError } from './io.js';

export interface Database {
  sql: postgres.Sql;
  store: EventStore;
}

/**
 * Runs `work` with a small pool to the database given by `--database-url` or DATABASE_URL, and the event
 * store over it (with the store's session settings). Closed when `work` ends.
 */
export async function withDatabase<T>(
  io: CliIo,
  databaseUrl: string | undefined,
  work: (db: Database) => Promise<T>,
  options: { connections?: number } = {},
): Promise<T> {
  const url = databaseUrl ?? io.env.DATABASE_URL;
  if (!url) throw new UsageError('no database: pass --database-url or set DATABASE_URL');
  const sql = connectEventStore(url, {
    max: options.connections ?? 2,
    connection: { application_name: 'switchboard-cli' },
  });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  try {
    return await work({ sql, store });
  } finally {
    await store.close();
    await sql.end({ timeout: 5 });
  }
}
