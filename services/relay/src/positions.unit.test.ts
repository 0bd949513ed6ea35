import { describe, expect, it } from 'vitest';
import { laterOf } from './positions.js';

describe('laterOf', () => {
  it('takes the later position in $all order (transaction first), or whichever exists', () => {
    const early = { commit: 10n, prepare: 900n };
    const late = { commit: 11n, prepare: 5n };
    expect(laterOf(early, late)).toBe(late);
    expect(laterOf(late, early)).toBe(late);
    expect(laterOf({ commit: 11n, prepare: 6n }, late)).toEqual({ commit: 11n, prepare: 6n });
    expect(laterOf(undefined, early)).toBe(early);
    expect(laterOf(early, undefined)).toBe(early);
    expect(laterOf(undefined, undefined)).toBeUndefined();
  });
});
