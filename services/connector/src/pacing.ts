/** A token bucket: `ratePerSecond` on average, up to `burst` at once. A rate of 0 never waits. */
export interface Bucket {
  ratePerSecond: number;
  burst: number;
}

/**
 * Spaces provider calls per key (a bot, a chat) below the provider's limits, so that a burst of
 * messages is paced here instead of refused with 429s. Pure bookkeeping over a clock passed in:
 * `reserve` books the next slot and says how long to wait for it.
 */
export class Pacer {
  readonly #next = new Map<string, number>();

  constructor(private readonly bucket: Bucket) {}

  /** Milliseconds to wait before the call keyed `key` may go, booking that slot. */
  reserve(key: string, nowMs: number): number {
    const { ratePerSecond, burst } = this.bucket;
    if (ratePerSecond <= 0) return 0;
    const interval = 1_000 / ratePerSecond;
    // The bucket is a "next free time": it may lag `burst` intervals behind now (tokens saved up).
    const earliest = Math.max(this.#next.get(key) ?? 0, nowMs - (burst - 1) * interval);
    this.#next.set(key, earliest + interval);
    if (this.#next.size > 10_000) this.#forgetIdle(nowMs, burst * interval);
    return Math.max(0, earliest - nowMs);
  }

  #forgetIdle(nowMs: number, horizon: number): void {
    for (const [key, next] of this.#next) if (next < nowMs - horizon) this.#next.delete(key);
  }
}

/** The pacing a channel needs by default, per bot and per chat (0: none). */
export function defaultPacing(channel: string): { perBot: Bucket; perChat: Bucket } {
  const none = { ratePerSecond: 0, burst: 1 };
  switch (channel) {
    // https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
    case 'telegram':
      return { perBot: { ratePerSecond: 30, burst: 30 }, perChat: { ratePerSecond: 1, burst: 3 } };
    // chat.postMessage: about one message per second per channel, short bursts allowed.
    case 'slack':
      return { perBot: none, perChat: { ratePerSecond: 1, burst: 3 } };
    default:
      return { perBot: none, perChat: none };
  }
}

/** Resolves after `ms`, or rejects at once when the signal aborts (the connector is stopping). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
