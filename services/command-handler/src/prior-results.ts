import type { Position } from '@switchboard/event-store';
import type postgres from 'postgres';

/** What a command's first execution answered, as the store recorded it with its append. */
export interface PriorResult {
  revision: bigint;
  position: Position;
  result: unknown;
}

interface CommandRow {
  result: unknown;
  appends: { stream: string; revision: string; commit: string; prepare: string }[];
}

/**
 * The recorded outcome of a command id, if its append happened. The append itself answers a retry
 * whose decision produced events (the store matches the command id); this lookup is for a retry that
 * the changed state now refuses or finds a no-op, e.g. CreateUser retried after it created the user.
 * It reads the store's command table (`es.commands`), which the event store's API does not expose.
 */
export async function priorResult(
  sql: postgres.Sql,
  commandId: string,
  stream: string,
): Promise<PriorResult | null> {
  const [row] = await sql<CommandRow[]>`
    SELECT result, appends FROM es.commands WHERE command_id = ${commandId}`;
  if (!row) return null;
  const append = row.appends.find((a) => a.stream === stream) ?? row.appends[0];
  if (!append) return null;
  return {
    revision: BigInt(append.revision),
    position: { commit: BigInt(append.commit), prepare: BigInt(append.prepare) },
    result: row.result,
  };
}
