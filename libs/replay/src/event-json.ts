import type { RecordedEvent } from '@switchboard/event-store';

/** A recorded event as JSON: bigints (revision, position) as decimal strings, times as ISO strings. */
export const recordedEventJson = (e: RecordedEvent) => ({
  id: e.id,
  type: e.type,
  stream: e.streamName,
  revision: e.revision.toString(),
  position: { commit: e.position.commit.toString(), prepare: e.position.prepare.toString() },
  created: e.created.toISOString(),
  data: e.data,
  metadata: e.metadata,
});

export type RecordedEventJson = ReturnType<typeof recordedEventJson>;
