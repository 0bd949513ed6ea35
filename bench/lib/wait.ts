import type postgres from 'postgres';

interface Position {
  commit: bigint;
  prepare: bigint;
}

const atOrAfter = (a: Position, b: Position) =>
  a.commit > b.commit || (a.commit === b.commit && a.prepare >= b.prepare);

const toPosition = (row: { commit: string; prepare: string } | undefined): Position | null =>
  row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : null;

/**
 * Waits until the projector's checkpoint and the relay's have both reached the store's head (as it is
 * when called); returns how long each took. Throws after `timeoutMs`.
 */
export async function waitCaughtUp(
  sql: postgres.Sql,
  namespace: string,
  timeoutMs: number,
): Promise<{ projectorS: number; relayS: number }> {
  const started = performance.now();
  const [headRow] = await sql<{ commit: string; prepare: string }[]>`
    SELECT transaction_id::text AS commit, global_position::text AS prepare FROM es.events
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;
  const head = toPosition(headRow);
  if (!head) return { projectorS: 0, relayS: 0 };
  const relayStream = `${namespace.toUpperCase()}_EVENTS`;
  let projectorS: number | null = null;
  let relayS: number | null = null;
  while (performance.now() - started < timeoutMs) {
    const elapsed = (performance.now() - started) / 1000;
    if (projectorS === null) {
      const [row] = await sql<{ commit: string; prepare: string }[]>`
        SELECT commit_position::text AS commit, prepare_position::text AS prepare
        FROM rm.checkpoints WHERE projection = 'core'`;
      const at = toPosition(row);
      if (at && atOrAfter(at, head)) projectorS = elapsed;
    }
    if (relayS === null) {
      const [row] = await sql<{ commit: string; prepare: string }[]>`
        SELECT commit::text AS commit, prepare::text AS prepare FROM relay.checkpoints
        WHERE stream = ${relayStream}`;
      const at = toPosition(row);
      if (at && atOrAfter(at, head)) relayS = elapsed;
    }
    if (projectorS !== null && relayS !== null) return { projectorS, relayS };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `not caught up after ${timeoutMs} ms (projector ${projectorS === null ? 'behind' : 'done'}, ` +
      `relay ${relayS === null ? 'behind' : 'done'})`,
  );
}
