import type { EventStore, Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { projections } from './projection-registry.js';

export interface ProjectionStatus {
  name: string;
  /** Where the projection stands; null before it ever ran. */
  checkpoint: Position | null;
  /** When its checkpoint last moved. */
  updatedAt: Date | null;
  /** The last event readable in `$all` (null while it is empty). */
  head: Position | null;
  /** Events readable in `$all` after the checkpoint. */
  lagEvents: number;
  /** Age of the oldest of those events: how stale the read model is (0 when caught up). */
  lagSeconds: number;
}

interface CheckpointRow {
  projection: string;
  commit: string;
  prepare: string;
  updated_at: Date;
}

/**
 * Each projection's checkpoint against the head of `$all`: every registered projection, and any other
 * with a checkpoint row. Lag counts only events a reader of `$all` could already see.
 */
export async function projectionStatuses(sql: postgres.Sql, store: EventStore): Promise<ProjectionStatus[]> {
  const rows = await sql<CheckpointRow[]>`
    SELECT projection, commit_position::text AS commit, prepare_position::text AS prepare, updated_at
    FROM rm.checkpoints`;
  const head = await store.headPosition();
  const names = [...new Set([...projections.keys(), ...rows.map((r) => r.projection)])].sort();
  const statuses: ProjectionStatus[] = [];
  for (const name of names) {
    const row = rows.find((r) => r.projection === name);
    const checkpoint = row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : null;
    const [lag] = await sql<{ events: number; seconds: number | null }[]>`
      SELECT count(*)::int AS events, extract(epoch FROM now() - min(ev.created))::float8 AS seconds
      FROM es.events ev
      WHERE ev.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        AND (ev.transaction_id, ev.global_position) >
            (${(checkpoint?.commit ?? 0n).toString()}::xid8, ${(checkpoint?.prepare ?? 0n).toString()}::bigint)`;
    statuses.push({
      name,
      checkpoint,
      updatedAt: row?.updated_at ?? null,
      head,
      lagEvents: lag?.events ?? 0,
      lagSeconds: Math.max(0, lag?.seconds ?? 0),
    });
  }
  return statuses;
}
