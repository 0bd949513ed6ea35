import postgres from 'postgres';
import { lockClass, type Migration, migrateLockKey, migrations } from './migrations.js';

/**
 * Brings schema `es` up to date. Idempotent, and safe when several processes start at once: they queue
 * on an advisory lock and each applies only what is still missing, one transaction per migration.
 */
export async function migrate(databaseUrl: string, list: readonly Migration[] = migrations): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`SELECT pg_advisory_lock(${lockClass}, ${migrateLockKey})`;
    try {
      await sql`CREATE SCHEMA IF NOT EXISTS es`;
      await sql`
        CREATE TABLE IF NOT EXISTS es.migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`;
      const applied = new Set(
        (await sql<{ version: number }[]>`SELECT version FROM es.migrations`).map((r) => r.version),
      );
      for (const m of [...list].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await sql.begin(async (tx) => {
          await tx.unsafe(m.sql);
          await tx`INSERT INTO es.migrations (version, name) VALUES (${m.version}, ${m.name})`;
        });
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(${lockClass}, ${migrateLockKey})`;
    }
  } finally {
    await sql.end();
  }
}
