import { describe, expect, it } from 'vitest';
import { defaultPacing, Pacer } from './pacing.js';

describe('Pacer', () => {
  it('lets a burst through, then spaces calls at the rate', () => {
    const pacer = new Pacer({ ratePerSecond: 1, burst: 3 });
    const waits = [0, 0, 0, 0, 0].map(() => pacer.reserve('chat', 10_000));
    expect(waits).toEqual([0, 0, 0, 1_000, 2_000]);
  });

  it('refills with time and keeps keys apart', () => {
    const pacer = new Pacer({ ratePerSecond: 2, burst: 1 });
    expect(pacer.reserve('a', 0)).toBe(0);
    expect(pacer.reserve('a', 0)).toBe(500);
    expect(pacer.reserve('b', 0)).toBe(0);
    expect(pacer.reserve('a', 5_000)).toBe(0);
  });

  it('never waits at rate 0', () => {
    const pacer = new Pacer({ ratePerSecond: 0, burst: 1 });
    expect([1, 2, 3].map(() => pacer.reserve('x', 0))).toEqual([0, 0, 0]);
  });

  it('paces Telegram per chat by default, and e-mail not at all', () => {
    expect(defaultPacing('telegram').perChat.ratePerSecond).toBe(1);
    expect(defaultPacing('email').perChat.ratePerSecond).toBe(0);
  });
});
