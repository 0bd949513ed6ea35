import type postgres from 'postgres';

/**
 * Deletes delivered and failed deliveries (with their attempts) finished more than `days` ago, then
 * the event bodies no delivery refers to any more. Pending and dead deliveries are never deleted:
 * a dead letter waits for its re-drive. Runs in small batches so it never holds long locks.
 */
export async function pruneHistory(sql: postgres.Sql, days: number, batch = 5_000): Promise<number> {
  if (days <= 0) return 0;
  let total = 0;
  for (;;) {
    // The attempts go in the same statement: no foreign key cascades to them (schema.ts says why).
    const [deleted] = await sql<{ count: number }[]>`
      WITH gone AS (
        DELETE FROM dispatch.deliveries WHERE id IN (
          SELECT id FROM dispatch.deliveries
          WHERE status IN ('delivered', 'failed') AND finished_at < now() - ${days}::float8 * interval '1 day'
          LIMIT ${batch})
        RETURNING id
      ), attempts AS (
        DELETE FROM dispatch.attempts WHERE delivery_id IN (SELECT id FROM gone)
      )
      SELECT count(*)::int AS count FROM gone`;
    const count = deleted?.count ?? 0;
    total += count;
    if (count < batch) break;
  }
  await sql`
    DELETE FROM dispatch.events e
    WHERE e.recorded_at < now() - ${days}::float8 * interval '1 day'
      AND NOT EXISTS (SELECT 1 FROM dispatch.deliveries d WHERE d.event_id = e.id)`;
  return total;
}
