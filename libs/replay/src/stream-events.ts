import type { EventStore, RecordedEvent } from '@switchboard/event-store';

const PAGE = 500;

/**
 * A stream's events from a revision (inclusive), oldest first, at most `limit` in all, read page by page:
 * what the admin API's `/admin/streams/:stream/events` and `switchboard events read` show. Throws the
 * store's `StreamNotFoundError` for a stream that does not exist.
 */
export async function* streamEvents(
  store: EventStore,
  stream: string,
  options: { from?: bigint; limit?: number } = {},
): AsyncGenerator<RecordedEvent> {
  let next = options.from ?? 0n;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const want = Math.min(PAGE, left);
    const page = await store.readStream(stream, { fromRevision: next, maxCount: want });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < want) return;
    left -= page.length;
    next = last.revision + 1n;
  }
}
