import type { DomainEvent } from '@switchboard/contracts';
import type { AnyDecider } from '@switchboard/domain';
import { type EventStore, type Position, StreamNotFoundError } from '@switchboard/event-store';
import { LRUCache } from 'lru-cache';
import type { SnapshotStore } from './snapshots.js';

/** A stream's folded state as of its event at `revision` (null: the stream has no events). */
export interface StreamSnapshot {
  state: unknown;
  revision: bigint | null;
  /** Position of the event at `revision`: where a reader has seen everything this state reflects. */
  position: Position | null;
}

/** A cached state, with the revision of its latest stored snapshot (null: none known). */
type CachedSnapshot = StreamSnapshot & { revision: bigint; position: Position; snapshotAt: bigint | null };

export interface StreamStatesOptions {
  /** Events read per query while folding a stream. */
  pageSize?: number;
  /** Where long streams' states are snapshotted; without it, a cold load folds the whole stream. */
  snapshots?: SnapshotStore;
}

/**
 * Loads the state a command is decided on. Each stream's state is cached with its revision, so a load
 * reads only the events appended since (by anyone: another handler process, an earlier command) and
 * costs the same for a stream of ten events as for one of ten million. A stream not in the cache that
 * turns out longer than one snapshot interval goes on from its latest snapshot, and a new snapshot is
 * taken (in the background) once `snapshots.every` events were folded since the last one. The store's expected-revision check on append catches whatever
 * changes between this read and the append.
 */
export class StreamStates {
  readonly #cache: LRUCache<string, CachedSnapshot>;
  readonly #pageSize: number;
  readonly #snapshots: SnapshotStore | undefined;
  /** How much of an uncached stream is read before its snapshot is looked up. */
  readonly #firstColdPage: number;

  constructor(
    private readonly store: EventStore,
    capacity: number,
    options: StreamStatesOptions = {},
  ) {
    this.#cache = new LRUCache({ max: Math.max(1, capacity) });
    this.#pageSize = options.pageSize ?? 1_000;
    this.#snapshots = options.snapshots;
    this.#firstColdPage = Math.max(1, Math.min(this.#pageSize, options.snapshots?.every || this.#pageSize));
  }

  get cachedStreams(): number {
    return this.#cache.size;
  }

  async load(stream: string, decider: AnyDecider): Promise<StreamSnapshot> {
    const cached = this.#cache.get(stream);
    let state = cached ? cached.state : decider.initialState();
    let revision = cached ? cached.revision : null;
    let position = cached ? cached.position : null;
    let snapshotAt = cached ? cached.snapshotAt : null;
    // Not cached: a short stream is read whole; past one page, its latest snapshot is looked up.
    let snapshotLookup = !cached && this.#snapshots !== undefined;
    for (;;) {
      const from = revision === null ? 0n : revision + 1n;
      const maxCount = snapshotLookup ? this.#firstColdPage : this.#pageSize;
      let page: Awaited<ReturnType<EventStore['readStream']>>;
      try {
        page = await this.store.readStream(stream, { fromRevision: from, maxCount });
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
      if (page.length < maxCount) break;
      if (snapshotLookup) {
        snapshotLookup = false;
        const stored = await this.#snapshots?.load(stream, decider);
        if (stored && (revision === null || stored.revision > revision)) {
          ({ state, revision, position } = stored);
          snapshotAt = stored.revision;
        }
      }
    }
    if (revision !== null && position !== null) {
      const entry = { state, revision, position, snapshotAt };
      this.#cache.set(stream, entry);
      this.#snapshotIfDue(stream, decider, entry);
    }
    return { state, revision, position };
  }

  forget(stream: string): void {
    this.#cache.delete(stream);
  }

  /** After an append: the state it produced, so the next command on the stream reads nothing old. */
  remember(
    stream: string,
    snapshot: { state: unknown; revision: bigint; position: Position },
    decider?: AnyDecider,
  ): void {
    const snapshotAt = this.#cache.get(stream)?.snapshotAt ?? null;
    const entry = { ...snapshot, snapshotAt };
    this.#cache.set(stream, entry);
    if (decider) this.#snapshotIfDue(stream, decider, entry);
  }

  /** Takes a snapshot in the background when enough events were folded since the last one. */
  #snapshotIfDue(stream: string, decider: AnyDecider, entry: CachedSnapshot): void {
    const snapshots = this.#snapshots;
    if (!snapshots || snapshots.every <= 0) return;
    const since = entry.revision - (entry.snapshotAt ?? -1n);
    if (since < BigInt(snapshots.every)) return;
    entry.snapshotAt = entry.revision;
    void snapshots.save(stream, decider, entry);
  }
}
