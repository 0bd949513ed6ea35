import type { LeaderLock } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import type { Recorder } from './recorder.js';

export type RecorderRole = 'starting' | 'leader' | 'standby' | 'stopped';

/**
 * Runs the recorder only while this replica holds the leader lock: one recorder at a time keeps the
 * log recorded in order without replicas fighting over the checkpoint. Every replica delivers.
 */
export class RecorderLeadership {
  #role: RecorderRole = 'starting';
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly lock: LeaderLock,
    private readonly recorder: Recorder,
    private readonly logger: Logger,
    private readonly retryMs: number,
  ) {}

  get role(): RecorderRole {
    return this.#role;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await this.recorder.stop();
    await this.lock.release();
    this.#role = 'stopped';
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#step();
      } catch (err) {
        this.logger.error({ err }, 'webhook recorder leadership check failed');
      }
      if (this.#stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.retryMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  async #step(): Promise<void> {
    if (this.recorder.consuming) {
      if (!(await this.lock.verify())) {
        this.logger.warn('lost the webhook recorder lock; standing by');
        await this.recorder.stop();
        this.#role = 'standby';
      }
      return;
    }
    if (await this.lock.tryAcquire()) {
      await this.recorder.start();
      this.#role = 'leader';
      this.logger.info('recording EVENTS for webhooks (leader)');
      const done = this.recorder.done;
      // A consumer that dies by itself is restarted at the next check.
      void done?.then(async (err) => {
        if (!err || this.#stopping) return;
        this.logger.error({ err }, 'webhook recorder consumer ended; restarting it');
        await this.recorder.stop().catch(() => {});
        this.#role = 'standby';
        this.#wake?.();
      });
    } else {
      this.#role = 'standby';
    }
  }
}
