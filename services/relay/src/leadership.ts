import type postgres from 'postgres';
import { relayLockClass } from './checkpoint.js';

/**
 * This process's hold on the leader lock: a session-level advisory lock on one reserved connection.
 * The lock lives exactly as long as that session, so a leader that dies (process, host or network)
 * releases it with its connection, and a standby's next try takes it.
 */
export class LeaderLease {
  #lost = false;
  #released = false;
  readonly #onLost = new Set<() => void>();
  readonly #timer: NodeJS.Timeout;

  private constructor(
    private readonly connection: postgres.ReservedSql,
    private readonly key: string,
    private readonly backendPid: number,
    checkEveryMs: number,
  ) {
    this.#timer = setInterval(() => void this.#check(), checkEveryMs);
    this.#timer.unref();
  }

  /** The lease, or null when another session holds the lock. */
  static async tryAcquire(sql: postgres.Sql, key: string, checkEveryMs: number): Promise<LeaderLease | null> {
    const connection = await sql.reserve();
    try {
      const [row] = await connection<{ locked: boolean; pid: number }[]>`
        SELECT pg_try_advisory_lock(${relayLockClass}, hashtext(${key})) AS locked, pg_backend_pid() AS pid`;
      if (row?.locked) return new LeaderLease(connection, key, row.pid, checkEveryMs);
    } catch (err) {
      connection.release();
      throw err;
    }
    connection.release();
    return null;
  }

  /** True once the lock's session is gone: stop publishing. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Calls `listener` once when the lease is lost; returns its removal. */
  onLost(listener: () => void): () => void {
    if (this.#lost) {
      listener();
      return () => {};
    }
    this.#onLost.add(listener);
    return () => this.#onLost.delete(listener);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    if (!this.#lost) {
      await this.connection`SELECT pg_advisory_unlock(${relayLockClass}, hashtext(${this.key}))`.catch(
        () => {},
      );
    }
    this.#markLost();
    this.connection.release();
  }

  /**
   * The lock is held while the session that took it is alive. The client reconnects a dropped reserved
   * connection silently on its next query, so "the query worked" is not enough: the backend must be the same.
   */
  async #check(): Promise<void> {
    if (this.#lost || this.#released) return;
    try {
      const [row] = await this.connection<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      if (row?.pid !== this.backendPid) this.#markLost();
    } catch {
      this.#markLost();
    }
  }

  #markLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    for (const listener of this.#onLost) listener();
    this.#onLost.clear();
  }
}
