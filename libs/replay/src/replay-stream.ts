import { categoryOf, type DomainEvent, toDomainEvent } from '@switchboard/contracts';
import { type AnyDecider, deciders } from '@switchboard/domain';
import type { EventStore, RecordedEvent } from '@switchboard/event-store';

export class UnknownStreamCategoryError extends Error {
  constructor(readonly stream: string) {
    super(`stream ${stream}: no decider folds this category (known: ${Object.keys(deciders).join(', ')})`);
    this.name = 'UnknownStreamCategoryError';
  }
}

/** A revision (0 is the first event), or a time: the state as of the last event at or before it. */
export type ReplayPoint = { revision: bigint } | { time: Date };

export interface ReplayStep {
  event: RecordedEvent;
  /** The state right after this event, folded with the same `evolve` the command handler uses. */
  state: unknown;
}

export interface Replay {
  stream: string;
  /** Revision of the last event folded; null when the point is before the first event. */
  revision: bigint | null;
  state: unknown;
  /** The state before the first event (what the first step changed). */
  initialState: unknown;
  /** Every event folded and the state after it (only when asked for, as it holds every state). */
  steps: ReplayStep[];
}

const PAGE = 500;

function deciderOf(stream: string): AnyDecider {
  const category = categoryOf(stream) as keyof typeof deciders;
  const decider = deciders[category] as unknown as AnyDecider | undefined;
  if (!decider) throw new UnknownStreamCategoryError(stream);
  return decider;
}

const reached = (event: RecordedEvent, at: ReplayPoint | undefined): boolean => {
  if (!at) return false;
  return 'revision' in at ? event.revision > at.revision : event.created.getTime() > at.time.getTime();
};

/**
 * An aggregate's state as of any point of its stream, folded from its events: the debugging view of
 * "what did the core believe when it decided this?". Reads page by page; throws the store's
 * `StreamNotFoundError` for a stream that does not exist.
 */
export async function replayStream(
  store: EventStore,
  stream: string,
  options: { at?: ReplayPoint; steps?: boolean } = {},
): Promise<Replay> {
  const decider = deciderOf(stream);
  const initialState = decider.initialState();
  let state = initialState;
  let revision: bigint | null = null;
  const steps: ReplayStep[] = [];
  let from = 0n;
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: from, maxCount: PAGE });
    for (const event of page) {
      if (reached(event, options.at)) return { stream, revision, state, initialState, steps };
      state = decider.evolve(state, toDomainEvent(event.type, event.data) as DomainEvent);
      revision = event.revision;
      if (options.steps) steps.push({ event, state });
    }
    if (page.length < PAGE) return { stream, revision, state, initialState, steps };
    from = page[page.length - 1]!.revision + 1n;
  }
}
