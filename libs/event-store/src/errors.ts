import type { ExpectedState } from './types.js';

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamName: string,
    readonly expectedState: ExpectedState,
    readonly actualRevision: bigint | 'no_stream',
  ) {
    super(`wrong expected state for ${streamName}: expected ${expectedState}, actual ${actualRevision}`);
  }
}

export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly streamName: string) {
    super(`stream ${streamName} not found`);
  }
}

/** The stream was tombstoned: it can never be read or appended to again. */
export class StreamDeletedError extends Error {
  override readonly name = 'StreamDeletedError';
  constructor(readonly streamName: string) {
    super(`stream ${streamName} is deleted`);
  }
}

/** An event id already stored, other than as an exact retry of the append that stored it. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already stored`);
  }
}
