import { describe, expect, it } from 'vitest';
import { Settlement } from './settlement.js';

describe('Settlement', () => {
  it('given sequences that owe nothing, when planned, then the watermark follows them', () => {
    const s = new Settlement(10);
    s.plan(11, 0);
    s.plan(12, 0);
    expect(s.watermark).toBe(12);
    expect(s.planned).toBe(12);
  });

  it('given a sequence owing writes, when later ones settle first, then the watermark waits for it', () => {
    const s = new Settlement(0);
    s.plan(1, 2);
    s.plan(2, 1);
    s.plan(3, 0);
    s.settle(2);
    expect(s.watermark).toBe(0);
    s.settle(1);
    expect(s.watermark).toBe(0);
    s.settle(1);
    expect(s.watermark).toBe(3);
    expect(s.unsettled).toBe(0);
  });

  it('given gaps in the log, when planned, then the skipped sequences count as settled', () => {
    const s = new Settlement(5);
    s.plan(9, 1);
    expect(s.watermark).toBe(8);
    s.settle(9);
    expect(s.watermark).toBe(9);
  });

  it('given a waiter, when its sequence settles, then it is called once; for a settled one at once', () => {
    const s = new Settlement(0);
    const called: string[] = [];
    s.plan(1, 1);
    s.plan(2, 0);
    s.whenSettled(1, () => called.push('one'));
    s.whenSettled(2, () => called.push('two'));
    s.whenSettled(1, () => called.push('one again'));
    expect(called).toEqual(['two']);
    s.settle(1);
    expect(called).toEqual(['two', 'one', 'one again']);
  });

  it('given writes in flight, when asked what they settle, then the watermark stops at the first still owed', () => {
    const s = new Settlement(0);
    s.plan(1, 1);
    s.plan(2, 2);
    s.plan(3, 1);
    s.plan(4, 0);
    expect(s.watermarkAfter(new Map([[1, 1]]))).toBe(1);
    expect(
      s.watermarkAfter(
        new Map([
          [1, 1],
          [2, 1],
        ]),
      ),
    ).toBe(1);
    expect(
      s.watermarkAfter(
        new Map([
          [1, 1],
          [2, 2],
          [3, 1],
        ]),
      ),
    ).toBe(4);
    expect(s.watermarkAfter(new Map([[3, 1]]))).toBe(0);
    // Asking changes nothing.
    expect(s.watermark).toBe(0);
  });

  it('given a sequence planned twice or settled when it owes nothing, then it is refused', () => {
    const s = new Settlement(3);
    expect(() => s.plan(3, 0)).toThrow(/planned after/);
    s.plan(4, 0);
    expect(() => s.settle(4)).toThrow(/owes nothing/);
  });

  it('given checkpoints written out of order, then the highest is kept', () => {
    const s = new Settlement(0);
    s.wrote(7);
    s.wrote(5);
    expect(s.written).toBe(7);
  });
});
