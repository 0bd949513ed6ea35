import { describe, expect, it } from 'vitest';
import { assertStreamName, streamCategory } from './stream-name.js';

describe('stream names', () => {
  it('have the category before the first dash', () => {
    expect(streamCategory('conversation-0b5e1a3c-8d2f')).toBe('conversation');
    expect(streamCategory('delivery-m1-telegram')).toBe('delivery');
    expect(streamCategory('standalone')).toBe('standalone');
    expect(streamCategory('-odd')).toBe('');
  });

  it('must be non-empty and not system-reserved', () => {
    expect(() => assertStreamName('')).toThrow(TypeError);
    expect(() => assertStreamName('$all')).toThrow(TypeError);
    expect(() => assertStreamName('user-1')).not.toThrow();
  });
});
