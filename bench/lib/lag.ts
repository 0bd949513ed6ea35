import type postgres from 'postgres';

interface Notified {
  commit: bigint;
  prepare: bigint;
  /** Wall-clock milliseconds with sub-millisecond precision. */
  at: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

const atOrAfter = (a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }) =>
  a.commit > b.commit || (a.commit === b.commit && a.prepare >= b.prepare);

/**
 * Projection lag as the projector makes it: from the moment an event was appended (`created`, set by
 * PostgreSQL in the append's statement) to the moment the projector's checkpoint notification that
 * covers it arrives (`rm_checkpoint`, sent when the batch with the read-model rows commits). Both
 * clocks are this machine's wall clock.
 */
export class ProjectionLag {
  readonly #notified: Notified[] = [];
  #unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly projection = 'core',
  ) {}

  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen('rm_checkpoint', (payload) => {
      const at = wallNow();
      const [name, commit, prepare] = payload.split(':');
      if (name === this.projection && commit && prepare) {
        this.#notified.push({ commit: BigInt(commit), prepare: BigInt(prepare), at });
      }
    });
    this.#unlisten = unlisten;
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
  }

  /** Lag in ms of each MessagePosted appended between `from` and `to` (wall-clock ms). */
  async lags(from: number, to: number): Promise<{ lags: number[]; missing: number }> {
    const events = await this.sql<{ commit: string; prepare: string; created: number }[]>`
      SELECT transaction_id::text AS commit, global_position::text AS prepare,
             extract(epoch FROM created)::float8 * 1000 AS created
      FROM es.events
      WHERE created >= to_timestamp(${from / 1000}) AND created < to_timestamp(${to / 1000})
        AND type = 'MessagePosted'
      ORDER BY transaction_id, global_position`;
    const notified = [...this.#notified].sort((a, b) =>
      a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1,
    );
    const lags: number[] = [];
    let missing = 0;
    let n = 0;
    for (const e of events) {
      const position = { commit: BigInt(e.commit), prepare: BigInt(e.prepare) };
      while (n < notified.length && !atOrAfter(notified[n]!, position)) n++;
      const covering = notified[n];
      if (covering) lags.push(covering.at - e.created);
      else missing++;
    }
    return { lags, missing };
  }
}
