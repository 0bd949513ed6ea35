import type { AllFilter, AllSubscription, Position, RecordedEvent } from './types.js';
import type { Wakeups } from './wakeups.js';

export interface SubscriptionPage {
  /** Matching events, in $all order. */
  events: RecordedEvent[];
  /** Where the next page starts: the last row scanned or returned; null when nothing was scanned. */
  scannedTo: Position | null;
  /** More rows are already visible: read again without waiting. */
  more: boolean;
  /** Transactions were running at the read's snapshot. */
  inflight: boolean;
}

export interface SubscriptionSource {
  readPage(after: Position, limit: number, filter: AllFilter | undefined): Promise<SubscriptionPage>;
  /** Resolves the start: 'end' is the head at the moment iteration starts. */
  startAfter(from: 'start' | 'end' | Position): Promise<Position>;
  /** Starts (or shares) the LISTEN; returns its release. */
  listen(): Promise<() => Promise<void>>;
  readonly wakeups: Wakeups;
  readonly pollIntervalMs: number;
}

/**
 * While other transactions are running, one of them may be an append whose NOTIFY was folded into
 * another's (see migrations.ts), so a caught-up reader re-polls soon, backing off to the poll interval.
 */
const firstRepollMs = 4;
/**
 * After a wake-up, an append has committed; if a read then finds nothing, an older transaction still
 * running somewhere in the cluster may hold it back, and it becomes readable the moment that one ends,
 * with no notification of its own. For `owedForMs` the reader then backs off no further than
 * `owedRepollMaxMs`, so such a hold-up costs a few milliseconds after it ends instead of up to a poll
 * interval. (The wake-up may also have been for events already read: then this costs a few reads.)
 */
const owedForMs = 500;
const owedRepollMaxMs = 16;

export class PollingSubscription implements AllSubscription {
  #closed = false;
  #iterating = false;
  #pending: Promise<unknown> | undefined;
  #release: (() => Promise<void>) | undefined;
  readonly #abort = new AbortController();

  constructor(
    private readonly source: SubscriptionSource,
    private readonly from: 'start' | 'end' | Position,
    private readonly filter: AllFilter | undefined,
    private readonly batchSize: number,
    private readonly onClose: (s: PollingSubscription) => void,
  ) {}

  batches(): AsyncIterable<RecordedEvent[]> {
    return { [Symbol.asyncIterator]: () => this.#run() };
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.#events();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.onClose(this);
    await this.#pending?.catch(() => {});
    await this.#releaseListener();
  }

  async #releaseListener(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await release?.().catch(() => {});
  }

  async *#events(): AsyncGenerator<RecordedEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  async *#run(): AsyncGenerator<RecordedEvent[]> {
    if (this.#iterating) throw new Error('a subscription can be iterated only once');
    this.#iterating = true;
    const { source } = this;
    this.#release = await this.#track(source.listen());
    try {
      let after = await this.#track(source.startAfter(this.from));
      let repollMs = firstRepollMs;
      // Since when a wake-up has been answered by no event (null: none is owed).
      let owedSince: number | null = null;
      while (!this.#closed) {
        const seen = source.wakeups.generation;
        const page = await this.#track(source.readPage(after, this.batchSize, this.filter));
        if (this.#closed) return;
        if (page.scannedTo) after = page.scannedTo;
        if (page.events.length > 0) {
          repollMs = firstRepollMs;
          owedSince = null;
          yield page.events;
        }
        if (page.more) continue;
        // caught up: sleep until a wake-up, a re-poll, or the poll interval
        let waitMs: number;
        if (!page.inflight) {
          // nothing held back: whatever woke us has been read
          waitMs = source.pollIntervalMs;
          repollMs = firstRepollMs;
          owedSince = null;
        } else if (owedSince !== null && performance.now() - owedSince < owedForMs) {
          waitMs = Math.min(repollMs, owedRepollMaxMs, source.pollIntervalMs);
          repollMs = Math.min(repollMs * 2, owedRepollMaxMs, source.pollIntervalMs);
        } else {
          waitMs = repollMs;
          repollMs = Math.min(repollMs * 2, source.pollIntervalMs);
        }
        await source.wakeups.wait(waitMs, seen, this.#abort.signal);
        if (owedSince === null && source.wakeups.generation !== seen) owedSince = performance.now();
      }
    } finally {
      await this.close();
      await this.#releaseListener();
    }
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending = p;
    return p;
  }
}
