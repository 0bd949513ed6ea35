import { setTimeout as delay } from 'node:timers/promises';
import {
  type AllSubscription,
  comparePositions,
  type EventStore,
  type Position,
} from '@switchboard/event-store';
import {
  CheckpointMovedError,
  commitBatch,
  ensureCheckpoint,
  type Projection,
  readCheckpoint,
} from '@switchboard/read-models';
import type { LeaderLock } from '@switchboard/runtime';
import { type Logger, linkedToEvents } from '@switchboard/telemetry';
import type postgres from 'postgres';

export type ProjectorRole = 'starting' | 'standby' | 'leader' | 'stopped';

export interface ProjectorOptions {
  sql: postgres.Sql;
  store: EventStore;
  lock: LeaderLock;
  projection: Projection;
  logger: Logger;
  batchSize: number;
  standbyRetryMs: number;
  leaderCheckMs: number;
}

const firstBackoffMs = 100;
const maxBackoffMs = 10_000;

/**
 * Keeps one projection up to date: while it holds the projection's lock it follows `$all` from the
 * checkpoint and commits each batch with the checkpoint (`commitBatch`); otherwise it waits as standby
 * and retries the lock. A failed batch (database gone, checkpoint moved by a rebuild) restarts the
 * subscription from the stored checkpoint.
 */
export class Projector {
  #role: ProjectorRole = 'starting';
  #following = false;
  #position: Position | null = null;
  #projected = 0;
  #stopping = false;
  #subscription: AllSubscription | null = null;
  #loop: Promise<void> | null = null;
  readonly #abort = new AbortController();

  constructor(private readonly options: ProjectorOptions) {}

  get role(): ProjectorRole {
    return this.#role;
  }

  /** True while the leader's subscription is running (not between a failure and its retry). */
  get following(): boolean {
    return this.#following;
  }

  /** The checkpoint this leader last committed, or read on taking the lead. */
  get position(): Position | null {
    return this.#position;
  }

  /** Events applied by this process since it started. */
  get projected(): number {
    return this.#projected;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the batch in flight commits, then gives up the lead. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await this.#subscription?.close();
    await this.#loop;
    await this.options.lock.release();
    this.#role = 'stopped';
  }

  async #run(): Promise<void> {
    const { lock, logger } = this.options;
    let backoffMs = firstBackoffMs;
    while (!this.#stopping) {
      try {
        if (!(await lock.tryAcquire())) {
          if (this.#role !== 'standby') logger.info({ projection: lock.name }, 'standby');
          this.#role = 'standby';
          await this.#pause(this.options.standbyRetryMs);
          continue;
        }
        if (this.#role !== 'leader') logger.info({ projection: lock.name }, 'leading');
        this.#role = 'leader';
        await this.#follow();
        backoffMs = firstBackoffMs;
      } catch (error) {
        if (this.#stopping) break;
        if (error instanceof CheckpointMovedError) {
          logger.warn({ err: error }, 'checkpoint moved (reset or another writer); following from it again');
          continue;
        }
        logger.error({ err: error, retryInMs: backoffMs }, 'projection failed');
        await this.#pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      }
    }
  }

  /**
   * Follows `$all` until stopped, until the lead is lost or the checkpoint is moved by someone else (a
   * rebuild's reset) — it then returns and the caller starts again — or until a batch fails (throws).
   */
  async #follow(): Promise<void> {
    const { sql, store, lock, projection, logger } = this.options;
    let at = await ensureCheckpoint(sql, projection.name);
    this.#position = at;
    const subscription = store.subscribeToAll({ fromPosition: at, batchSize: this.options.batchSize });
    this.#subscription = subscription;
    let interrupted: 'lost the lead' | 'checkpoint moved' | null = null;
    let committing = false;
    let commits = 0;
    let checking = false;
    const interrupt = async (reason: typeof interrupted) => {
      interrupted = reason;
      logger.warn({ projection: projection.name }, `${reason}: following again`);
      await subscription.close();
    };
    // A caught-up leader commits nothing, so it looks for a moved checkpoint itself while idle.
    const check = setInterval(async () => {
      if (checking || this.#stopping) return;
      checking = true;
      try {
        if (!(await lock.verify())) return await interrupt('lost the lead');
        if (committing) return;
        const seen = commits;
        const stored = await readCheckpoint(sql, projection.name);
        if (seen === commits && !committing && (!stored || comparePositions(stored, at) !== 0)) {
          await interrupt('checkpoint moved');
        }
      } catch (error) {
        logger.warn({ err: error }, 'leader check failed');
      } finally {
        checking = false;
      }
    }, this.options.leaderCheckMs);
    this.#following = true;
    try {
      if (this.#stopping) return;
      for await (const batch of subscription.batches()) {
        committing = true;
        try {
          // A batch holds events of many requests: its span links to each one's trace.
          at = await linkedToEvents(
            `project ${projection.name}`,
            batch.map((event) => event.metadata.traceparent),
            { 'switchboard.projection': projection.name, 'switchboard.events': batch.length },
            () => commitBatch(sql, projection, at, batch),
          );
        } finally {
          committing = false;
          commits++;
        }
        this.#position = at;
        this.#projected += batch.length;
        logger.debug({ events: batch.length, commit: `${at.commit}`, prepare: `${at.prepare}` }, 'batch');
        if (this.#stopping || interrupted) break;
      }
    } finally {
      clearInterval(check);
      this.#following = false;
      this.#subscription = null;
      await subscription.close();
    }
    if (interrupted === 'lost the lead') this.#role = 'standby';
  }

  async #pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.#abort.signal }).catch(() => {});
  }
}
