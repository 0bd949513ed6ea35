import type { EventMetadata, Position, RecordedEvent, Upcaster } from './types.js';
import { upcast } from './upcast.js';

/** A row of `eventColumns` (read-sql.ts). */
export interface EventRow {
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

export const rowPosition = (row: { commit: string; prepare: string }): Position => ({
  commit: BigInt(row.commit),
  prepare: BigInt(row.prepare),
});

/** Stored row to recorded event: schemaVersion defaults to 1, then upcasters apply. */
export function toRecordedEvent(row: EventRow, upcasters: ReadonlyMap<string, Upcaster>): RecordedEvent {
  const stored = {
    type: row.type,
    data: row.data,
    metadata: row.meta.schemaVersion === undefined ? { ...row.meta, schemaVersion: 1 } : row.meta,
  };
  const current = upcast(stored, upcasters);
  return {
    id: row.id,
    type: current.type,
    streamName: row.stream,
    revision: BigInt(row.revision),
    position: rowPosition(row),
    data: current.data,
    metadata: current.metadata,
    created: row.created,
  };
}
