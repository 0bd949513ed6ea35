/**
 * Tasks running at once, at most `limit`. Waiting for room costs one promise, however many tasks run:
 * `Promise.race` over the running ones would add a reaction to each of them per wait, which with
 * hundreds in flight is most of a consumer's time in microtasks and garbage.
 */
export class InFlight {
  readonly #tasks = new Set<Promise<void>>();
  #freed: (() => void) | undefined;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#tasks.size;
  }

  /**
   * Resolves once fewer than `limit` tasks run; undefined when there is room now (no promise for the
   * common case: a consumer asks once per message). One waiter at a time: each user has one loop taking
   * work.
   */
  room(): Promise<void> | undefined {
    return this.#tasks.size < this.limit ? undefined : this.#waitForRoom();
  }

  async #waitForRoom(): Promise<void> {
    while (this.#tasks.size >= this.limit) {
      await new Promise<void>((resolve) => {
        this.#freed = resolve;
      });
    }
  }

  /** Runs `task` (already started) until it settles; it must not reject. */
  add(task: Promise<void>): void {
    const tracked: Promise<void> = task.finally(() => {
      this.#tasks.delete(tracked);
      const freed = this.#freed;
      this.#freed = undefined;
      freed?.();
    });
    this.#tasks.add(tracked);
  }

  /** Resolves when every task added so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#tasks]);
  }
}
