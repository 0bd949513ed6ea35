import { describe, expect, it } from 'vitest';
import { diffStates } from './state-diff.js';

describe('diffStates', () => {
  it('names each changed value by its path; arrays and scalars compare whole', () => {
    expect(
      diffStates(
        { status: 'active', lastSequence: 1, recent: [], nested: { a: 1, b: 2 } },
        { status: 'active', lastSequence: 2, recent: [3], nested: { a: 1, b: 3 }, added: true },
      ),
    ).toEqual([
      { path: 'lastSequence', before: 1, after: 2 },
      { path: 'recent', before: [], after: [3] },
      { path: 'nested.b', before: 2, after: 3 },
      { path: 'added', before: undefined, after: true },
    ]);
  });

  it('finds nothing between equal states, and compares non-objects as a whole', () => {
    expect(diffStates({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(diffStates(null, { a: 1 })).toEqual([{ path: '(state)', before: null, after: { a: 1 } }]);
  });
});
