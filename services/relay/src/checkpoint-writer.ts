import type { RelayCheckpoint } from './checkpoint.js';

/**
 * Writes the relay's checkpoint at most once per `intervalMs`: under load the relay publishes many small
 * batches, and a write after each costs a statement per batch for little use, since where to resume is
 * worked out from EVENTS' last message as much as from the checkpoint (see Relay). The last checkpoint
 * of a burst is written when the interval is up, and at once by `flush` (on stepping down or stopping).
 * A failed write is retried with the next one; `flush` reports it.
 */
export class CheckpointWriter {
  #pending: RelayCheckpoint | null = null;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (checkpoint: RelayCheckpoint) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The checkpoint after a published batch: written now, or when the interval is up. */
  async update(checkpoint: RelayCheckpoint): Promise<void> {
    this.#pending = checkpoint;
    const wait = this.#lastWriteAt + this.intervalMs - performance.now();
    if (wait <= 0) {
      await this.#writePending().catch(this.onError);
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        void this.#writePending().catch(this.onError);
      }, wait);
    }
  }

  /** Writes what is pending now; throws if that write fails. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#writePending();
  }

  /** One write at a time, in order; a failed write leaves its checkpoint pending for the next one. */
  #writePending(): Promise<void> {
    this.#writing = this.#writing
      .catch(() => {})
      .then(async () => {
        const checkpoint = this.#pending;
        if (!checkpoint) return;
        this.#pending = null;
        this.#lastWriteAt = performance.now();
        try {
          await this.write(checkpoint);
        } catch (error) {
          this.#pending ??= checkpoint;
          throw error;
        }
      });
    return this.#writing;
  }
}
