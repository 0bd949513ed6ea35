import type { ExpectedState } from './types.js';

export type ExpectedKind = 'any' | 'no_stream' | 'stream_exists' | 'revision';

export function expectedKind(state: ExpectedState): ExpectedKind {
  if (typeof state === 'bigint') {
    if (state < 0n) throw new RangeError(`an expected revision is 0 or more, got ${state}`);
    return 'revision';
  }
  switch (state) {
    case 'any':
    case 'no_stream':
    case 'stream_exists':
      return state;
    default: {
      const unknownState: never = state;
      throw new TypeError(`unknown expected state ${String(unknownState)}`);
    }
  }
}

/** Does a stream whose last live revision is `actual` satisfy `expected`? */
export function satisfies(expected: ExpectedState, actual: bigint | 'no_stream'): boolean {
  const kind = expectedKind(expected);
  switch (kind) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    case 'revision':
      return actual === expected;
    default: {
      const unknownKind: never = kind;
      throw new TypeError(`unknown expected state kind ${String(unknownKind)}`);
    }
  }
}
