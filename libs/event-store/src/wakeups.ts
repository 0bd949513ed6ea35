/**
 * Wake-ups for subscribers: a generation counter so a wake-up that lands between a read and the wait
 * that follows it is not lost, and a timer so no wait is longer than asked.
 */
export class Wakeups {
  #generation = 0;
  readonly #waiters = new Set<() => void>();

  get generation(): number {
    return this.#generation;
  }

  wake(): void {
    this.#generation++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /**
   * Resolves on the next wake-up, after `ms`, when `signal` aborts, or at once if a wake-up came
   * since `seenGeneration`.
   */
  wait(ms: number, seenGeneration: number, signal?: AbortSignal): Promise<void> {
    if (this.#generation !== seenGeneration || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
