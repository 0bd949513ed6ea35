import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packed } from './packed-column.js';

describe('packed columns (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  it('given columns with nulls, when unnested, then the rows line up with the values, typed by the casts', async () => {
    const ids = ['0190d1f4-1c2b-7c4e-9e1e-123456789abc', '0190d1f4-1c2b-7c4e-9e1e-123456789abd', null];
    const counts = [1, null, 3];
    const at = ['2026-12-02T10:00:00.000Z', 'infinity', null];
    const bodies = ['{"text":"a \\"quoted\\" word, a \\\\ and a comma"}', '{}', '[1,2]'];
    const rows = await sql<{ id: string | null; n: number | null; at: string | null; body: string }[]>`
      SELECT id, n, CASE WHEN isfinite(at) THEN extract(epoch FROM at)::bigint::text ELSE at::text END AS at, body
      FROM unnest(
        ${packed(sql, ids)}::uuid[], ${packed(sql, counts)}::int[], ${packed(sql, at)}::timestamptz[],
        ${packed(sql, bodies)}) WITH ORDINALITY AS t(id, n, at, body, i)
      ORDER BY i`;
    expect(rows.map((r) => [r.id, r.n, r.at, r.body])).toEqual([
      [ids[0], 1, String(Date.parse('2026-12-02T10:00:00.000Z') / 1000), bodies[0]],
      [ids[1], null, 'infinity', bodies[1]],
      [null, 3, null, bodies[2]],
    ]);
  });

  it('given no values, when unnested, then there are no rows', async () => {
    const rows = await sql`SELECT * FROM unnest(${packed(sql, [])}::uuid[])`;
    expect(rows).toHaveLength(0);
  });
});
