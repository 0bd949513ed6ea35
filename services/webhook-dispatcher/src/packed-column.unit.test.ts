import { describe, expect, it } from 'vitest';
import { packColumn } from './packed-column.js';

describe('packColumn', () => {
  it('given ids, numbers and nulls, when packed, then they are joined by chr(30) with chr(31) for null', () => {
    expect(packColumn(['a', 2, null, undefined, '{"x":"y"}'])).toBe('a\x1e2\x1e\x1f\x1e\x1f\x1e{"x":"y"}');
  });

  it('given no values, when packed, then the text is empty', () => {
    expect(packColumn([])).toBe('');
  });

  it('given a value holding a separator or an empty one, when packed, then it is refused', () => {
    expect(() => packColumn(['a', 'b\x1ec'])).toThrow(/separator/);
    expect(() => packColumn(['a\x1f'])).toThrow(/separator/);
    expect(() => packColumn(['a', ''])).toThrow(/empty/);
  });
});
