import type { DomainEvent } from '@switchboard/contracts';
import type { AnyDecider } from '@switchboard/domain';
import { type EventStore, type Position, StreamNotFoundError } from '@switchboard/event-store';
import { LRUCache } from 'lru-cache';

/** A stream's folded state as of its event at `revision` (null: the stream has no events). */
export interface StreamSnapshot {
  state: unknown;
  revision: bigint | null;
  /** Position of the event at `revision`: where a reader has seen everything this state reflects. */
  position: Position | null;
}

type CachedSnapshot = StreamSnapshot & { revision: bigint; position: Position };

/**
 * Loads the state a command is decided on. Each stream's state is cached with its revision, so a load
 * reads only the events appended since (by anyone: another handler process, an earlier command) and
 * costs the same for a stream of ten events as for one of ten million. The store's expected-revision
 * check on append catches whatever changes between this read and the append.
 */
export class StreamStates {
  readonly #cache: LRUCache<string, CachedSnapshot>;

  constructor(
    private readonly store: EventStore,
    capacity: number,
    private readonly pageSize = 1_000,
  ) {
    this.#cache = new LRUCache({ max: Math.max(1, capacity) });
  }

  get cachedStreams(): number {
    return this.#cache.size;
  }

  async load(stream: string, decider: AnyDecider): Promise<StreamSnapshot> {
    const cached = this.#cache.get(stream);
    let state = cached ? cached.state : decider.initialState();
    let revision = cached ? cached.revision : null;
    let position = cached ? cached.position : null;
    for (;;) {
      const from = revision === null ? 0n : revision + 1n;
      let page: Awaited<ReturnType<EventStore['readStream']>>;
      try {
        page = await this.store.readStream(stream, { fromRevision: from, maxCount: this.pageSize });
      } catch (err) {
        if (!(err instanceof StreamNotFoundError)) throw err;
        // Never written, or deleted since it was cached: decided on from the beginning.
        this.#cache.delete(stream);
        return { state: decider.initialState(), revision: null, position: null };
      }
      for (const event of page) {
        state = decider.evolve(state, { type: event.type, data: event.data } as DomainEvent);
        revision = event.revision;
        position = event.position;
      }
      if (page.length < this.pageSize) break;
    }
    if (revision !== null && position !== null) this.#cache.set(stream, { state, revision, position });
    return { state, revision, position };
  }

  forget(stream: string): void {
    this.#cache.delete(stream);
  }

  /** After an append: the state it produced, so the next command on the stream reads nothing old. */
  remember(stream: string, snapshot: { state: unknown; revision: bigint; position: Position }): void {
    this.#cache.set(stream, snapshot);
  }
}
