import { untilWritten } from './until-written.js';

/**
 * Writes items nobody waits for (the express lane's finished deliveries): whatever was added meanwhile
 * goes in one statement, one statement at a time, each waiting `lingerMs` for more. A failed statement
 * is tried again with the same items until it succeeds, or until `giveUp` says so (a stop that cannot
 * wait: the log is read again from the checkpoint after a restart, at-least-once). No promise per item:
 * at thousands of items a second, they were a good share of the process's work.
 */
export class WriteBehind<T> {
  #pending: T[] = [];
  #running: Promise<void> | undefined;

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly options: {
      maxBatch: number;
      lingerMs: number;
      onError(err: unknown, tries: number): void;
      giveUp(tries: number): boolean;
    },
  ) {}

  add(item: T): void {
    this.#pending.push(item);
    this.#running ??= this.#run();
  }

  /** Resolves when everything added so far is written (or given up). */
  async flushed(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        if (this.#pending.length < this.options.maxBatch) await sleep(this.options.lingerMs);
        const batch = this.#pending.splice(0, this.options.maxBatch);
        // Given up: the failure was reported; these items are left to the log read again.
        await untilWritten(() => this.write(batch), this.options).catch(() => {});
      }
    } finally {
      this.#running = undefined;
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
