import type { EventStore, ReadDirection, RecordedEvent } from '@switchboard/event-store';

const PAGE = 500;

/**
 * A stream's events from a revision (inclusive), at most `limit` in all, read page by page: oldest
 * first by default (what the admin API's `/admin/streams/:stream/events` and `switchboard events read`
 * show), or newest first from the end with `direction: 'backwards'`. Throws the store's
 * `StreamNotFoundError` for a stream that does not exist.
 */
export async function* streamEvents(
  store: EventStore,
  stream: string,
  options: { from?: bigint; limit?: number; direction?: ReadDirection } = {},
): AsyncGenerator<RecordedEvent> {
  const direction = options.direction ?? 'forwards';
  let next: bigint | 'end' = options.from ?? (direction === 'forwards' ? 0n : 'end');
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const want = Math.min(PAGE, left);
    const page = await store.readStream(stream, { fromRevision: next, direction, maxCount: want });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < want) return;
    if (direction === 'backwards' && last.revision === 0n) return;
    left -= page.length;
    next = direction === 'forwards' ? last.revision + 1n : last.revision - 1n;
  }
}
