import { type ClientRow, findClient } from '@switchboard/read-models';
import type postgres from 'postgres';

/**
 * Channel on which the projector names the clients whose rows a committed batch changed (ids joined
 * by commas, or `*` for "any"), sent in the batch's transaction: it arrives as the change commits.
 */
export const clientsChangedChannel = 'rm_clients';

interface Entry {
  row: ClientRow;
  expiresAt: number;
}

/**
 * The clients the gateway authenticates, kept for a few seconds so that a request does not cost a
 * read-model query. Only found clients are kept. An entry goes when this gateway has changed the client
 * (`forget`, after the command's read-your-writes wait), when the projector announces a change to it
 * (made through any gateway), when its time is up, and every entry goes whenever the LISTEN connection
 * (re)connects, since notifications sent while it was down are lost.
 */
export class ClientCache {
  readonly #entries = new Map<string, Entry>();
  /** Lookups in flight: requests that miss together share one query. */
  readonly #reading = new Map<string, Promise<ClientRow | null>>();
  /** Bumped by every invalidation: a lookup that raced one does not store what it read. */
  #generation = 0;
  #unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen(
      clientsChangedChannel,
      (payload) => this.#invalidate(payload),
      () => this.#invalidate('*'),
    );
    this.#unlisten = unlisten;
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = null;
    this.#entries.clear();
  }

  async find(id: string): Promise<ClientRow | null> {
    const now = Date.now();
    const cached = this.#entries.get(id);
    if (cached && cached.expiresAt > now) return cached.row;
    if (cached) this.#entries.delete(id);
    const reading = this.#reading.get(id);
    if (reading) return reading;
    const read: Promise<ClientRow | null> = this.#read(id, now).finally(() => {
      if (this.#reading.get(id) === read) this.#reading.delete(id);
    });
    this.#reading.set(id, read);
    return read;
  }

  async #read(id: string, now: number): Promise<ClientRow | null> {
    const generation = this.#generation;
    const row = await findClient(this.sql, id);
    // Only while listening: without invalidations the cache could outlive a token rotation.
    if (row && generation === this.#generation && this.#unlisten) {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      this.#entries.set(id, { row, expiresAt: now + this.ttlMs });
    }
    return row;
  }

  /** Drops a client, e.g. after a command changed it: the next request reads it again. */
  forget(id: string): void {
    this.#invalidate(id);
  }

  #invalidate(payload: string): void {
    this.#generation++;
    // A lookup already under way may have read the old row: requests from now on read again.
    if (payload === '*') {
      this.#entries.clear();
      this.#reading.clear();
      return;
    }
    for (const id of payload.split(',')) {
      this.#entries.delete(id);
      this.#reading.delete(id);
    }
  }
}
