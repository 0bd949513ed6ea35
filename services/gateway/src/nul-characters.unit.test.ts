import { describe, expect, it } from 'vitest';
import { containsNul, withoutNul } from './nul-characters.js';

describe('NUL characters', () => {
  it('are found in any string of a body, keys included, and nowhere else', () => {
    expect(containsNul({ a: [{ b: 'x\u0000y' }] })).toBe(true);
    expect(containsNul({ 'k\u0000': 1 })).toBe(true);
    expect(containsNul('\u0000')).toBe(true);
    // The six characters of the JSON escape, as text, are not NUL.
    expect(containsNul({ a: '\\u0000', n: 0, t: true, z: null, list: [1, 'two'] })).toBe(false);
    expect(containsNul(Buffer.from([0, 0]))).toBe(false);
    expect(containsNul(undefined)).toBe(false);
  });

  it('are replaced by U+FFFD, the rest of the value kept; a value without any is returned as it is', () => {
    expect(withoutNul({ a: ['x\u0000', 2], 'k\u0000': { t: 'ok' } })).toEqual({
      a: ['x\uFFFD', 2],
      'k\uFFFD': { t: 'ok' },
    });
    const clean = { a: 'fine', n: [1] };
    expect(withoutNul(clean)).toBe(clean);
  });
});
