import type { Bus } from '@switchboard/bus';
import type { AllSubscription, EventStore, Position } from '@switchboard/event-store';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { LeaderLease } from './leadership.js';
import { laterOf, positionText } from './positions.js';
import { publishBatch } from './publish-batch.js';
import { readStreamTail } from './stream-tail.js';

export type RelayRole = 'standby' | 'leader' | 'stopped';

export interface RelayOptions {
  bus: Bus;
  store: EventStore;
  sql: postgres.Sql;
  logger: Logger;
  batchSize: number;
  /** Least time between two checkpoint writes while publishing (the last one is always written). */
  checkpointIntervalMs: number;
  /** How often a standby tries the lock, and the leader checks it still holds it. */
  leaderRetryMs: number;
  lagLogIntervalMs: number;
}

/**
 * Tails the event store and publishes every event, in `$all` order, to the JetStream stream, while it
 * holds the leader lock. Where to resume is worked out from the stream itself each time it starts
 * leading (or finds that someone else published): after the later of its checkpoint and the last event
 * the stream holds, so that nothing is published twice and nothing is skipped.
 */
export class Relay {
  readonly #o: RelayOptions;
  readonly #stream: string;
  #role: RelayRole = 'standby';
  #stopping = false;
  #running: Promise<void> | undefined;
  #subscription: AllSubscription | undefined;
  #wake: (() => void) | undefined;
  #onStop: (() => void) | undefined;
  #published: Position | undefined;
  #publishedCount = 0;

  constructor(options: RelayOptions) {
    this.#o = options;
    this.#stream = options.bus.names.streams.events;
  }

  get role(): RelayRole {
    return this.#role;
  }

  /** Whether the election loop is alive (it only ends on stop). */
  get running(): boolean {
    return this.#running !== undefined && !this.#stopping;
  }

  /** Position of the last event this process published. */
  get publishedPosition(): Position | undefined {
    return this.#published;
  }

  /** Events this process published since it started. */
  get publishedCount(): number {
    return this.#publishedCount;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#elect();
  }

  /** Finishes the batch in flight (published and checkpointed), releases the lock. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    this.#onStop?.();
    await this.#subscription?.close();
    await this.#running;
    this.#role = 'stopped';
  }

  async #elect(): Promise<void> {
    const { logger } = this.#o;
    while (!this.#stopping) {
      let lease: LeaderLease | null = null;
      try {
        lease = await this.#unlessStopped(
          LeaderLease.tryAcquire(this.#o.sql, this.#stream, this.#o.leaderRetryMs),
        );
      } catch (err) {
        logger.warn({ err }, 'could not try the leader lock');
      }
      if (this.#stopping) {
        await lease?.release();
        break;
      }
      if (!lease) {
        this.#role = 'standby';
        await this.#sleep(this.#o.leaderRetryMs);
        continue;
      }
      this.#role = 'leader';
      logger.info({ stream: this.#stream }, 'leading: this relay publishes');
      try {
        await this.#lead(lease);
      } catch (err) {
        logger.error({ err }, 'relay failed while leading; stepping down');
      } finally {
        await lease.release();
        if (!this.#stopping) this.#role = 'standby';
      }
      if (lease.lost && !this.#stopping) logger.warn('lost the leader lock');
      await this.#sleep(this.#o.leaderRetryMs);
    }
  }

  async #lead(lease: LeaderLease): Promise<void> {
    const { logger } = this.#o;
    // After a refused publish: the last message id the server reported ('' = it remembers none).
    let reported: string | undefined;
    let resyncs = 0;
    const checkpoints = new CheckpointWriter(
      (checkpoint) => writeCheckpoint(this.#o.sql, this.#stream, checkpoint),
      this.#o.checkpointIntervalMs,
      (err) => logger.warn({ err }, 'could not write the checkpoint; retrying with the next one'),
    );
    const lagTimer = setInterval(() => void this.#logLag(), this.#o.lagLogIntervalMs);
    lagTimer.unref();
    try {
      while (!this.#stopping && !lease.lost) {
        const resume = await this.#resumePoint();
        let expected = reported === undefined ? resume.expectedLastMsgId : reported || undefined;
        reported = undefined;
        logger.info(
          { from: positionText(resume.position), expectedLastMsgId: expected ?? null },
          'publishing from the store',
        );
        const subscription = this.#o.store.subscribeToAll({
          fromPosition: resume.position ?? 'start',
          batchSize: this.#o.batchSize,
        });
        this.#subscription = subscription;
        if (this.#stopping) await subscription.close();
        const stopWatching = lease.onLost(() => void subscription.close());
        let mismatched = false;
        try {
          for await (const batch of subscription.batches()) {
            if (lease.lost) break;
            const outcome = await publishBatch(this.#o.bus, batch, expected, (event, subject) =>
              logger.warn(
                { eventId: event.id, stream: event.streamName, subject },
                'event published under an adjusted subject',
              ),
            );
            if (outcome.kind === 'mismatch') {
              logger.warn(
                { expectedLastMsgId: expected ?? null, serverLastMsgId: outcome.serverLastMsgId ?? null },
                'the stream holds a message this relay did not publish last; finding where to go on from',
              );
              reported = outcome.serverLastMsgId;
              mismatched = true;
              break;
            }
            const last = outcome.lastEvent;
            expected = last.id;
            this.#published = last.position;
            this.#publishedCount += batch.length;
            resyncs = 0;
            await checkpoints.update({ position: last.position, eventId: last.id });
            if (this.#stopping) break;
          }
        } finally {
          stopWatching();
          await subscription.close();
          this.#subscription = undefined;
          await checkpoints.flush();
        }
        if (!mismatched) return;
        // Someone keeps publishing in between: back off rather than spin.
        resyncs++;
        if (resyncs > 1) await this.#sleep(Math.min(1_000, 20 * 2 ** resyncs));
      }
    } finally {
      clearInterval(lagTimer);
    }
  }

  /** After the later of the checkpoint and the last event EVENTS holds; expecting its last message. */
  async #resumePoint(): Promise<{ position: Position | undefined; expectedLastMsgId: string | undefined }> {
    const checkpoint = await readCheckpoint(this.#o.sql, this.#stream);
    const tail = await readStreamTail(this.#o.bus, this.#o.sql, this.#stream);
    const position = laterOf(checkpoint?.position, tail.lastEvent?.position);
    this.#published = position;
    return { position, expectedLastMsgId: tail.lastMsgId };
  }

  /**
   * How far publishing is behind the store: its head, the last position published, and about how many
   * events lie between (global positions between the two).
   */
  async lag(): Promise<{ head: Position | null; published: Position | undefined; behind: number }> {
    const head = await this.#o.store.headPosition();
    const published = this.#published;
    const behind = head ? Number(head.prepare - (published?.prepare ?? 0n)) : 0;
    return { head, published, behind };
  }

  async #logLag(): Promise<void> {
    try {
      const { head, published, behind } = await this.lag();
      this.#o.logger.debug(
        { head: positionText(head), published: positionText(published), behind },
        'relay lag',
      );
    } catch (err) {
      this.#o.logger.debug({ err }, 'could not measure relay lag');
    }
  }

  /**
   * The lease, or null when stop() comes first: taking a connection waits for the pool, which can be
   * long when PostgreSQL is unreachable. A lease that arrives after that is released at once.
   */
  async #unlessStopped(acquiring: Promise<LeaderLease | null>): Promise<LeaderLease | null> {
    let stopped: () => void = () => {};
    const stopping = new Promise<null>((resolve) => {
      stopped = () => resolve(null);
    });
    this.#onStop = stopped;
    try {
      const outcome = await Promise.race([acquiring, stopping]);
      if (outcome === null && this.#stopping) {
        void acquiring.then((late) => late?.release()).catch(() => {});
      }
      return outcome;
    } finally {
      this.#onStop = undefined;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
