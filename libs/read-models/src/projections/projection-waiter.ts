import { comparePositions, type Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { checkpointChannel, readCheckpoint } from './checkpoints.js';

/**
 * Waits until a projection has applied an event. The gateway uses it for read-your-writes (a command's
 * reply carries the position of its events); a connector or the broadcaster before reading what the
 * projector made of the events before the one it got from the relay. The checkpoint arrives by LISTEN
 * (the projector notifies after each committed batch), with one polling fallback for all the waits of
 * the process; a wait on a position already reached costs nothing.
 */
export class ProjectionWaiter {
  #latest: Position | null = null;
  readonly #waiters = new Set<{ target: Position; resolve: (ok: boolean) => void }>();
  #unlisten: (() => Promise<void>) | null = null;
  #poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly projection = 'core',
    private readonly pollMs = 250,
  ) {}

  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen(checkpointChannel, (payload) => {
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

  /**
   * Resolves true once the projection has the position; false when `timeoutMs` passes first or
   * `signal` aborts.
   */
  waitFor(target: Position, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#latest && comparePositions(this.#latest, target) >= 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const abandon = () => waiter.resolve(false);
      const waiter = {
        target,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abandon);
          this.#waiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(abandon, timeoutMs);
      signal?.addEventListener('abort', abandon, { once: true });
      this.#waiters.add(waiter);
    });
  }

  async #poll(): Promise<void> {
    try {
      const position = await readCheckpoint(this.sql, this.projection);
      if (position) this.#advance(position);
    } catch {
      // the next notification or poll catches up
    }
  }

  #advance(position: Position): void {
    if (this.#latest && comparePositions(this.#latest, position) >= 0) return;
    this.#latest = position;
    for (const waiter of [...this.#waiters]) {
      if (comparePositions(position, waiter.target) >= 0) waiter.resolve(true);
    }
  }
}
