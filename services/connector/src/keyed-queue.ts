/**
 * Runs work one at a time per key, in arrival order, different keys in parallel: a conversation's
 * messages reach the provider in the order they were posted while other conversations go on.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

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
