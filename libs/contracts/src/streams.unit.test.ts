import { describe, expect, it } from 'vitest';
import { categoryOf, streamIdOf, streams } from './streams.js';

const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('stream names', () => {
  it('are <category>-<id>', () => {
    expect(streams.client(id)).toBe(`client-${id}`);
    expect(streams.user(id)).toBe(`user-${id}`);
    expect(streams.conversation(id)).toBe(`conversation-${id}`);
  });

  it('split back into category and id, the id keeping its own dashes', () => {
    expect(categoryOf(streams.conversation(id))).toBe('conversation');
    expect(streamIdOf(streams.conversation(id))).toBe(id);
    expect(categoryOf(streams.client(id))).toBe('client');
  });

  it('refuse a name without a category or an id', () => {
    for (const name of ['conversation', '-abc', 'client-', '']) {
      expect(() => streamIdOf(name), name).toThrow(/not a <category>-<id>/);
    }
    expect(() => categoryOf('nodash')).toThrow(/not a <category>-<id>/);
  });
});
