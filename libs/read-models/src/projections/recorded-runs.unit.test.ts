import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventRuns, UnprojectableEventError } from './recorded-runs.js';
import { recorder } from './testing/recorded.js';

const clientId = randomUUID();

describe('eventRuns', () => {
  it('groups consecutive events of one type, in order, leaving out types it does not know', () => {
    const { record, foreign } = recorder();
    const [u1, u2, u3] = [randomUUID(), randomUUID(), randomUUID()];
    const batch = [
      record('UserCreated', { userId: u1, clientId }),
      foreign('SomethingElse', {}),
      record('UserCreated', { userId: u2, clientId }),
      record('ClientRenamed', { clientId, name: null }),
      record('UserCreated', { userId: u3, clientId }),
    ];

    const runs = eventRuns(batch);

    expect(runs.map((run) => [run.type, run.events.map((e) => e.eventId)])).toEqual([
      ['UserCreated', [batch[0]!.id, batch[2]!.id]],
      ['ClientRenamed', [batch[3]!.id]],
      ['UserCreated', [batch[4]!.id]],
    ]);
    expect(runs[0]?.events[0]).toEqual({
      eventId: batch[0]!.id,
      data: { userId: u1, clientId },
      created: batch[0]!.created,
    });
  });

  it('has nothing to apply for a batch of unknown types', () => {
    const { foreign } = recorder();
    expect(eventRuns([foreign('A', 1), foreign('B', null)])).toEqual([]);
  });

  it('refuses a known type whose data does not fit, naming the event and the field', () => {
    const { record } = recorder();
    const broken = record('UserCreated', { userId: randomUUID(), clientId: 'nope' });

    expect(() => eventRuns([broken])).toThrow(UnprojectableEventError);
    expect(() => eventRuns([broken])).toThrow(new RegExp(`${broken.id}.*/clientId`));
  });
});
