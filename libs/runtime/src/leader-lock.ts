import postgres from 'postgres';

/**
 * Which advisory lock: one 64-bit key made from a name (`hashtextextended(name, 0)`), or a class and a
 * key made from a name (`classId, hashtext(name)`), the form that keeps a family of locks apart.
 */
export type AdvisoryKey = { name: string; classId?: undefined } | { name: string; classId: number };

/**
 * Leadership through a session-level advisory lock, held on a connection of its own that nothing else
 * uses and that is never recycled (no idle timeout, no maximum lifetime). The lock lasts as long as that
 * session, so a leader that dies or loses its connection frees it for a standby. The client reconnects
 * a dropped connection silently, and the new session holds nothing: `verify` notices by the backend's pid.
 */
export class LeaderLock {
  #connection: postgres.Sql | null = null;
  #pid: number | null = null;

  constructor(
    private readonly databaseUrl: string,
    readonly key: AdvisoryKey,
  ) {}

  /** Names the lock in logs and in `pg_stat_activity` (`application_name`). */
  get name(): string {
    return this.key.name;
  }

  get held(): boolean {
    return this.#pid !== null;
  }

  /** Takes the lock if it is free; true while this process holds it. */
  async tryAcquire(): Promise<boolean> {
    if (this.#pid !== null) return this.verify();
    this.#connection ??= postgres(this.databaseUrl, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: `leader:${this.name}` },
    });
    try {
      // The pid comes with the lock, from the same session.
      const [row] = await this.#connection<{ locked: boolean; pid: number }[]>`
        SELECT ${this.#call(this.#connection, 'lock')} AS locked, pg_backend_pid() AS pid`;
      this.#pid = row?.locked ? row.pid : null;
    } catch (err) {
      await this.#drop();
      throw err;
    }
    return this.#pid !== null;
  }

  /** Whether the lock is still ours; when it is not, the connection is closed. */
  async verify(): Promise<boolean> {
    if (this.#pid === null || !this.#connection) return false;
    let same = false;
    try {
      const [row] = await this.#connection<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      same = row?.pid === this.#pid;
    } catch {
      same = false;
    }
    if (!same) await this.#drop();
    return same;
  }

  async release(): Promise<void> {
    if (this.#pid !== null && this.#connection) {
      const connection = this.#connection;
      await connection`SELECT ${this.#call(connection, 'unlock')}`.catch(() => {});
    }
    await this.#drop();
  }

  #call(session: postgres.Sql, fn: 'lock' | 'unlock'): postgres.Fragment {
    const { name, classId } = this.key;
    if (classId === undefined) {
      return fn === 'lock'
        ? session`pg_try_advisory_lock(hashtextextended(${name}, 0))`
        : session`pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
    return fn === 'lock'
      ? session`pg_try_advisory_lock(${classId}::int, hashtext(${name}))`
      : session`pg_advisory_unlock(${classId}::int, hashtext(${name}))`;
  }

  async #drop(): Promise<void> {
    this.#pid = null;
    const connection = this.#connection;
    this.#connection = null;
    await connection?.end({ timeout: 1 }).catch(() => {});
  }
}
