import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { migrations } from './migrations.js';

describe('migrate', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    // start from a database without the event store, whatever the template held
    await sql`DROP SCHEMA IF EXISTS es CASCADE`;
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  it('creates schema es once when several processes run it at the same time', async () => {
    await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url), migrate(db.url)]);
    const tables = await sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'es' ORDER BY table_name`;
    expect(tables.map((r) => r.table_name)).toEqual(['commands', 'events', 'migrations', 'streams']);
    const applied = await sql<{ version: number }[]>`SELECT version FROM es.migrations ORDER BY version`;
    expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
  });

  it('is a no-op when run again', async () => {
    await sql`INSERT INTO es.streams (name, category) VALUES ('keep-1', 'keep')`;
    await migrate(db.url);
    const [row] = await sql<{ n: string }[]>`SELECT count(*)::text AS n FROM es.streams`;
    expect(row?.n).toBe('1');
  });

  it('gives events the columns and indexes $all readers rely on', async () => {
    const columns = await sql<{ column_name: string; data_type: string; column_default: string | null }[]>`
      SELECT column_name, data_type, column_default FROM information_schema.columns
      WHERE table_schema = 'es' AND table_name = 'events'`;
    const byName = new Map(columns.map((c) => [c.column_name, c]));
    expect(byName.get('transaction_id')?.data_type).toBe('xid8');
    expect(byName.get('transaction_id')?.column_default).toBe('pg_current_xact_id()');
    expect(byName.get('global_position')?.column_default).toMatch(/^nextval/);
    const indexes = await sql<{ indexdef: string }[]>`
      SELECT indexdef FROM pg_indexes WHERE schemaname = 'es' AND tablename = 'events'`;
    const defs = indexes.map((i) => i.indexdef).join('\n');
    expect(defs).toContain('(transaction_id, global_position)');
    expect(defs).toContain('UNIQUE INDEX events_event_id_unique ON es.events USING btree (event_id)');
    expect(defs).toContain(
      'UNIQUE INDEX events_stream_revision_unique ON es.events USING btree (stream_name, revision)',
    );
  });
});
