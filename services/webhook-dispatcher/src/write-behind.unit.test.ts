import { describe, expect, it } from 'vitest';
import { WriteBehind } from './write-behind.js';

/** A write whose statements the test can make fail. */
function writes(failures = 0) {
  const statements: number[][] = [];
  let left = failures;
  const write = async (batch: number[]) => {
    if (left-- > 0) throw new Error('down');
    statements.push(batch);
  };
  return { statements, write };
}

const options = (giveUpAfter = Number.POSITIVE_INFINITY) => ({
  maxBatch: 3,
  lingerMs: 5,
  onError: () => {},
  giveUp: (tries: number) => tries >= giveUpAfter,
});

describe('WriteBehind', () => {
  it('given items added together, when written, then they share statements of at most the batch size, in order', async () => {
    const { statements, write } = writes();
    const behind = new WriteBehind(write, options());
    for (const n of [1, 2, 3, 4, 5]) behind.add(n);
    await behind.flushed();
    expect(statements).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('given a failing statement, when written, then the same items are written again until it succeeds', async () => {
    const { statements, write } = writes(2);
    const behind = new WriteBehind(write, options());
    behind.add(1);
    behind.add(2);
    await behind.flushed();
    expect(statements).toEqual([[1, 2]]);
  });

  it('given a stop that cannot wait, when the statement keeps failing, then the items are given up', async () => {
    const { statements, write } = writes(10);
    const behind = new WriteBehind(write, options(1));
    behind.add(1);
    await behind.flushed();
    expect(statements).toEqual([]);
    behind.add(2);
    await behind.flushed();
    expect(statements).toEqual([]);
  });
});
