import { holdsProjectionLock, tryLockProjection, unlockProjection } from '@switchboard/read-models';
import postgres from 'postgres';

/**
 * Leadership of one projection: its session-level advisory lock, taken on a connection of its own that
 * nothing else uses and that is never recycled (no idle timeout, no maximum lifetime). The lock lasts as
 * long as that session, so a leader that dies or loses its connection frees it for a standby.
 */
export class LeaderLock {
  #connection: postgres.Sql | null = null;
  #held = false;

  constructor(
    private readonly databaseUrl: string,
    readonly projection: string,
  ) {}

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock if it is free; true while this process holds it. */
  async tryAcquire(): Promise<boolean> {
    if (this.#held) return this.verify();
    this.#connection ??= postgres(this.databaseUrl, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: `projector-lock:${this.projection}` },
    });
    try {
      this.#held = await tryLockProjection(this.#connection, this.projection);
    } catch (error) {
      await this.#drop();
      throw error;
    }
    return this.#held;
  }

  /**
   * Whether the lock is still ours: the session may have been ended under us (a reconnect opens a new
   * session holding nothing). When it is not, the connection is closed so nothing is left holding it.
   */
  async verify(): Promise<boolean> {
    if (!this.#held || !this.#connection) return false;
    let held = false;
    try {
      held = await holdsProjectionLock(this.#connection, this.projection);
    } catch {
      held = false;
    }
    if (!held) await this.#drop();
    return held;
  }

  async release(): Promise<void> {
    if (this.#held && this.#connection) {
      await unlockProjection(this.#connection, this.projection).catch(() => {});
    }
    await this.#drop();
  }

  async #drop(): Promise<void> {
    this.#held = false;
    const connection = this.#connection;
    this.#connection = null;
    await connection?.end({ timeout: 1 }).catch(() => {});
  }
}
