import { randomUUID } from 'node:crypto';
import type { EventOfType, EventType } from '@switchboard/contracts';
import type { RecordedEvent } from '@switchboard/event-store';

/**
 * Builds recorded events as `$all` would hand them over, with positions in order and a `created` time the
 * test chooses (default: one second apart from 2026-01-01), for given/when/then projection tests.
 */
export function recorder(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let position = 0n;
  let clock = start;
  function record<Type extends EventType>(
    type: Type,
    data: EventOfType<Type>['data'],
    options: { created?: string; stream?: string } = {},
  ): RecordedEvent {
    position += 1n;
    clock += 1000;
    return {
      id: randomUUID(),
      type,
      streamName: options.stream ?? `test-${randomUUID()}`,
      revision: 0n,
      position: { commit: position, prepare: position },
      data,
      metadata: { schemaVersion: 1 },
      created: new Date(options.created ?? clock),
    };
  }
  /** An event of a type the catalogue does not know. */
  function foreign(type: string, data: unknown, stream = `other-${randomUUID()}`): RecordedEvent {
    position += 1n;
    clock += 1000;
    return {
      id: randomUUID(),
      type,
      streamName: stream,
      revision: 0n,
      position: { commit: position, prepare: position },
      data,
      metadata: { schemaVersion: 1 },
      created: new Date(clock),
    };
  }
  return { record, foreign };
}

export const sealed = (label: string) => `v1.${label}.tag.${Buffer.from(label).toString('base64url')}`;
export const tokenHash = (digit: string) => digit.repeat(64);
