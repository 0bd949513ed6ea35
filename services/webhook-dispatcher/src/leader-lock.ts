import postgres from 'postgres';

/**
 * Leadership through a session-level advisory lock, held on a connection of its own that is never
 * recycled. A reconnect opens a new session that holds nothing: `verify` notices by the backend's pid.
 */
export class LeaderLock {
  #connection: postgres.Sql | null = null;
  #pid: number | null = null;

  constructor(
    private readonly databaseUrl: string,
    readonly key: string,
  ) {}

  get held(): boolean {
    return this.#pid !== null;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#pid !== null) return this.verify();
    this.#connection ??= postgres(this.databaseUrl, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: `leader:${this.key}` },
    });
    try {
      const [row] = await this.#connection<{ locked: boolean; pid: number }[]>`
        SELECT pg_try_advisory_lock(hashtextextended(${this.key}, 0)) AS locked, pg_backend_pid() AS pid`;
      this.#pid = row?.locked ? row.pid : null;
    } catch (err) {
      await this.#drop();
      throw err;
    }
    return this.#pid !== null;
  }

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
      await this.#connection`SELECT pg_advisory_unlock(hashtextextended(${this.key}, 0))`.catch(() => {});
    }
    await this.#drop();
  }

  async #drop(): Promise<void> {
    this.#pid = null;
    const connection = this.#connection;
    this.#connection = null;
    await connection?.end({ timeout: 1 }).catch(() => {});
  }
}
