import postgres from 'postgres';
import { type CliIo, UsageError } from './io.js';

/** Runs `work` with a small connection pool to the database given by `--database-url` or DATABASE_URL. */
export async function withDatabase<T>(
  io: CliIo,
  databaseUrl: string | undefined,
  work: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const url = databaseUrl ?? io.env.DATABASE_URL;
  if (!url) throw new UsageError('no database: pass --database-url or set DATABASE_URL');
  const sql = postgres(url, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: 'switchboard-cli' },
  });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
