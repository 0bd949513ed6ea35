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
      while (!this.#closed) {
        const seen = source.wakeups.generation;
        const page = await this.#track(source.readPage(after, this.batchSize, this.filter));
        if (this.#closed) return;
        if (page.scannedTo) after = page.scannedTo;
        if (page.events.length > 0) {
          repollMs = firstRepollMs;
          yield page.events;
        }
        if (page.more) continue;
        // caught up: sleep until a wake-up, a re-poll, or the poll interval
        const waitMs = page.inflight ? repollMs : source.pollIntervalMs;
        repollMs = page.inflight ? Math.min(repollMs * 2, source.pollIntervalMs) : firstRepollMs;
        await source.wakeups.wait(waitMs, seen, this.#abort.signal);
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
