import { type EventOfType, type EventType, isEventType, toDomainEvent } from '@switchboard/contracts';
import type { RecordedEvent } from '@switchboard/event-store';

/** A checked event of the catalogue, with what a projection takes from its record. */
export interface ProjectedEvent<Type extends EventType = EventType> {
  eventId: string;
  data: EventOfType<Type>['data'];
  /** The store's append time: the time of events whose data has none, so a rebuild writes the same rows. */
  created: Date;
}

/** Consecutive events of one type, in `$all` order: a projection applies a run in one statement. */
export type EventRun = {
  [Type in EventType]: { type: Type; events: ProjectedEvent<Type>[] };
}[EventType];

/** A stored event of a known type whose data does not fit its schema: the projection cannot apply it. */
export class UnprojectableEventError extends Error {
  override name = 'UnprojectableEventError';
  constructor(
    readonly event: RecordedEvent,
    cause: unknown,
  ) {
    super(
      `event ${event.id} (${event.type} in ${event.streamName} at ${event.position.commit}/${event.position.prepare}): ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/**
 * Groups a batch into runs of one event type, keeping order. Types outside the catalogue (other
 * categories, events newer than this code) are left out: they change nothing here. A known type with
 * data that does not fit its schema throws, since skipping it would leave the read model wrong.
 */
export function eventRuns(events: readonly RecordedEvent[]): EventRun[] {
  const runs: EventRun[] = [];
  let current: { type: EventType; events: ProjectedEvent[] } | undefined;
  for (const event of events) {
    if (!isEventType(event.type)) continue;
    let checked: ReturnType<typeof toDomainEvent>;
    try {
      checked = toDomainEvent(event.type, event.data);
    } catch (error) {
      throw new UnprojectableEventError(event, error);
    }
    const projected: ProjectedEvent = { eventId: event.id, data: checked.data, created: event.created };
    if (current?.type === checked.type) {
      current.events.push(projected);
    } else {
      current = { type: checked.type, events: [projected] };
      runs.push(current as EventRun);
    }
  }
  return runs;
}
