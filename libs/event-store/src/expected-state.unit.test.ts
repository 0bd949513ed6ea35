import { describe, expect, it } from 'vitest';
import { expectedKind, satisfies } from './expected-state.js';

describe('expected states', () => {
  it('classify', () => {
    expect(expectedKind('any')).toBe('any');
    expect(expectedKind('no_stream')).toBe('no_stream');
    expect(expectedKind('stream_exists')).toBe('stream_exists');
    expect(expectedKind(0n)).toBe('revision');
    expect(() => expectedKind(-1n)).toThrow(RangeError);
    expect(() => expectedKind('latest' as never)).toThrow(TypeError);
  });

  it('match the actual revision', () => {
    expect(satisfies('any', 'no_stream')).toBe(true);
    expect(satisfies('any', 3n)).toBe(true);
    expect(satisfies('no_stream', 'no_stream')).toBe(true);
    expect(satisfies('no_stream', 0n)).toBe(false);
    expect(satisfies('stream_exists', 0n)).toBe(true);
    expect(satisfies('stream_exists', 'no_stream')).toBe(false);
    expect(satisfies(3n, 3n)).toBe(true);
    expect(satisfies(3n, 4n)).toBe(false);
    expect(satisfies(0n, 'no_stream')).toBe(false);
  });
});
