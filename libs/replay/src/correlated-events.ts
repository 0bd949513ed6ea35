import type { EventMetadata, RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';

interface CorrelatedRow {
  id: string;
  type: string;
  stream: string;
  revision: string;
  commit: string;
  prepare: string;
  data: unknown;
  meta: EventMetadata;
  created: Date;
}

/**
 * Every event recorded with this correlation id, across streams, in `$all` order (transaction, then
 * global position): what one request caused. Uses the index on `metadata->>'correlationId'` (event
 * store migration 2). Reads the table itself, so events of deleted streams are shown too.
 */
export async function readCorrelatedEvents(
  sql: postgres.Sql,
  correlationId: string,
  options: { limit?: number } = {},
): Promise<RecordedEvent[]> {
  const rows = await sql<CorrelatedRow[]>`
    SELECT event_id::text AS id, type, stream_name AS stream, revision::text AS revision,
           transaction_id::text AS commit, global_position::text AS prepare, data, metadata AS meta, created
    FROM es.events
    WHERE metadata->>'correlationId' = ${correlationId}
    ORDER BY transaction_id, global_position
    LIMIT ${options.limit ?? 10_000}`;
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    streamName: row.stream,
    revision: BigInt(row.revision),
    position: { commit: BigInt(row.commit), prepare: BigInt(row.prepare) },
    data: row.data,
    metadata: row.meta,
    created: row.created,
  }));
}
