import { type DomainEvent, eventIssues } from '@switchboard/contracts';
import { expect } from 'vitest';
import { type DecideContext, type Decider, handle } from '../decider.js';
import { DomainError, type DomainErrorCode } from '../domain-error.js';

export const specNow = new Date('2026-01-02T03:04:05.678Z');

/**
 * Given/when/then for a decider: the stream's past events, a command, and either the events it must
 * produce or the error it must raise. Produced events are also checked against the catalogue's
 * schemas, so a decider cannot emit data the store would refuse to read back.
 */
export function deciderSpec<C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  ctx: DecideContext = { now: specNow },
) {
  return {
    given(pastEvents: E[]) {
      return {
        when(command: C) {
          const run = () => handle(decider, command, pastEvents, ctx);
          return {
            // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; never awaited.
            then(expected: E[]): E[] {
              const produced = run();
              expect(produced).toStrictEqual(expected);
              for (const event of produced) {
                expect(eventIssues(event.type, event.data), event.type).toEqual([]);
              }
              return produced;
            },
            thenThrows(code: DomainErrorCode): DomainError {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown, 'the command should have been refused').toBeInstanceOf(DomainError);
              const error = thrown as DomainError;
              expect(error.code).toBe(code);
              return error;
            },
          };
        },
      };
    },
  };
}
