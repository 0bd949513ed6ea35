/**
 * A counting semaphore: at most `size` holders at a time, the others wait in arrival order. `acquire`
 * resolves with the function that gives the permit back.
 */
export class Permits {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    this.#free = size;
  }

  /** Nobody holds a permit and nobody waits: the caller may forget this semaphore. */
  get idle(): boolean {
    return this.#free === this.size;
  }

  async acquire(): Promise<() => void> {
    const release = this.tryAcquire();
    if (release) return release;
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return this.#release();
  }

  /** A permit now, without waiting (no promise: an attempt takes one per delivery); undefined: none. */
  tryAcquire(): (() => void) | undefined {
    if (this.#free === 0) return undefined;
    this.#free--;
    return this.#release();
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The permit passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next();
      else this.#free++;
    };
  }
}
