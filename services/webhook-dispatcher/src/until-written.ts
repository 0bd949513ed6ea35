import { type RetryPolicy, retryDelayMs } from '@switchboard/bus';

/** After a write's first failure up to 200 ms, doubling, at most 5 s (with jitter: replicas spread). */
export const WRITE_RETRY: RetryPolicy = { initialMs: 200, maxMs: 5_000 };

export interface UntilWrittenOptions {
  /** Told of every failure (to log it), before the wait. */
  onError(err: unknown, tries: number): void;
  /** After a failure: stop trying; the failure is thrown. */
  giveUp(tries: number): boolean;
  /** Waits between tries; tests shorten it. */
  delayMs?: (tries: number) => number;
}

/**
 * Runs a write until it succeeds: what an attempt made, or a batch of the log read, must be recorded,
 * and the database comes back. Each failure is reported and waited out, unless `giveUp` says to stop
 * (a stop that cannot wait): then the write's last error is thrown.
 */
export async function untilWritten<T>(write: () => Promise<T>, options: UntilWrittenOptions): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (err) {
      options.onError(err, tries);
      if (options.giveUp(tries)) throw err;
      const ms = options.delayMs ? options.delayMs(tries) : retryDelayMs(tries, WRITE_RETRY);
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}
