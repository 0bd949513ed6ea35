import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll, comparePositions, positionFromJson, positionToJson } from './position.js';

describe('positions', () => {
  it('order by transaction id first, then by global position', () => {
    expect(comparePositions({ commit: 5n, prepare: 100n }, { commit: 6n, prepare: 1n })).toBe(-1);
    expect(comparePositions({ commit: 6n, prepare: 1n }, { commit: 5n, prepare: 100n })).toBe(1);
    expect(comparePositions({ commit: 5n, prepare: 2n }, { commit: 5n, prepare: 3n })).toBe(-1);
    expect(comparePositions({ commit: 5n, prepare: 3n }, { commit: 5n, prepare: 3n })).toBe(0);
  });

  it('put every real position between the start and end bounds', () => {
    const p = { commit: 2n ** 40n, prepare: 2n ** 50n };
    expect(comparePositions(beforeAll, p)).toBe(-1);
    expect(comparePositions(p, afterAll)).toBe(-1);
  });

  it('round-trip through JSON as decimal strings without losing precision', () => {
    const p = { commit: 2n ** 62n + 7n, prepare: 9007199254740993n };
    const json = JSON.parse(JSON.stringify(positionToJson(p)));
    expect(json).toEqual({ commit: '4611686018427387911', prepare: '9007199254740993' });
    expect(positionFromJson(json)).toEqual(p);
  });

  it('refuse negative or malformed positions', () => {
    expect(() => positionFromJson({ commit: '-1', prepare: '0' })).toThrow(RangeError);
    expect(() => positionFromJson({ commit: 'x', prepare: '0' })).toThrow();
  });
});
