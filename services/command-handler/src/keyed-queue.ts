/**
 * Runs work one at a time per key, in arrival order, and different keys in parallel. The handler puts
 * every command of one stream through it: commands racing for the same stream inside this process
 * then never collide on its revision, so the optimistic retry is left for other processes.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Keys with work queued or running. */
  get activeKeys(): number {
    return this.#tails.size;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous ? previous.then(work) : work();
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
