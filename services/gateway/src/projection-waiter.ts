import type postgres from 'postgres';

export interface Position {
  commit: bigint;
  prepare: bigint;
}

const atOrAfter = (a: Position, b: Position) =>
  a.commit > b.commit || (a.commit === b.commit && a.prepare >= b.prepare);

/**
 * Read-your-writes: a command's reply carries the position of its events; before the gateway answers,
 * it waits until the projector's checkpoint has reached that position. The checkpoint arrives by
 * LISTEN (the projector notifies after each committed batch) with a polling fallback.
 */
export class ProjectionWaiter {
  #latest: Position | null = null;
  #waiters = new Set<{ target: Position; resolve: (ok: boolean) => void }>();
  #unlisten: (() => Promise<void>) | null = null;
  #poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly projection = 'core',
    private readonly pollMs = 250,
  ) {}

  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen('rm_checkpoint', (payload) => {
      const [name, commit, prepare] = payload.split(':');
      if (name === this.projection && commit && prepare) {
        this.#advance({ commit: BigInt(commit), prepare: BigInt(prepare) });
      }
    });
    this.#unlisten = unlisten;
    await this.#poll();
    this.#poller = setInterval(() => {
      if (this.#waiters.size > 0) void this.#poll();
    }, this.pollMs);
    this.#poller.unref();
  }

  async stop(): Promise<void> {
    if (this.#poller) clearInterval(this.#poller);
    await this.#unlisten?.();
    for (const waiter of this.#waiters) waiter.resolve(false);
    this.#waiters.clear();
  }

  /** Resolves true once the projection has the position, false when `timeoutMs` passes first. */
  waitFor(target: Position, timeoutMs: number): Promise<boolean> {
    if (this.#latest && atOrAfter(this.#latest, target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        target,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async #poll(): Promise<void> {
    try {
      const [row] = await this.sql<{ commit_position: string; prepare_position: string }[]>`
        SELECT commit_position, prepare_position FROM rm.checkpoints WHERE projection = ${this.projection}`;
      if (row) this.#advance({ commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) });
    } catch {
      // the next notification or poll catches up
    }
  }

  #advance(position: Position): void {
    if (this.#latest && atOrAfter(this.#latest, position)) return;
    this.#latest = position;
    for (const waiter of [...this.#waiters]) {
      if (atOrAfter(position, waiter.target)) waiter.resolve(true);
    }
  }
}
