import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('spans [ceiling/2, ceiling] with the ceiling doubling per failed delivery', () => {
    const policy = { initialMs: 100, maxMs: 10_000, factor: 2 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(300);
  });

  it('never shrinks from one delivery to the next before the cap, whatever the jitter draws', () => {
    const policy = { initialMs: 100, maxMs: 1_000_000 };
    for (let n = 1; n < 12; n++) {
      const longestNow = retryDelayMs(n, policy, () => 1);
      const shortestNext = retryDelayMs(n + 1, policy, () => 0);
      expect(shortestNext).toBeGreaterThanOrEqual(longestNow);
    }
  });

  it('caps at maxMs', () => {
    const policy = { initialMs: 1_000, maxMs: 5_000 };
    expect(retryDelayMs(50, policy, () => 1)).toBe(5_000);
    expect(retryDelayMs(50, policy, () => 0)).toBe(2_500);
  });

  it('uses the defaults (1 s doubling, 5 min cap) when no policy is given', () => {
    expect(retryDelayMs(1, {}, () => 1)).toBe(DEFAULT_RETRY.initialMs);
    expect(retryDelayMs(2, {}, () => 1)).toBe(2 * DEFAULT_RETRY.initialMs);
    expect(retryDelayMs(100, {}, () => 1)).toBe(DEFAULT_RETRY.maxMs);
  });

  it('follows an explicit list by delivery count and repeats its last entry', () => {
    const policy = { backoffMs: [10, 250, 1_000] };
    expect([1, 2, 3, 4, 9].map((n) => retryDelayMs(n, policy))).toEqual([10, 250, 1_000, 1_000, 1_000]);
  });

  it('treats a delivery count below 1 as the first delivery', () => {
    expect(retryDelayMs(0, { initialMs: 100 }, () => 1)).toBe(100);
  });

  it('clamps a random source outside [0, 1]', () => {
    expect(retryDelayMs(1, { initialMs: 100 }, () => 7)).toBe(100);
    expect(retryDelayMs(1, { initialMs: 100 }, () => -3)).toBe(50);
  });

  it('refuses a policy that cannot produce delays', () => {
    expect(() => retryDelayMs(1, { initialMs: 0 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, { factor: 0.5 })).toThrow(RangeError);
  });
});
