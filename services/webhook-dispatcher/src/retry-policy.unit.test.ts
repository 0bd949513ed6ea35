import { describe, expect, it } from 'vitest';
import { nextStep, parseRetryAfter, verdictOf } from './retry-policy.js';

const policy = { initialMs: 1_000, maxMs: 60_000 };
const now = new Date('2026-01-01T00:00:00.000Z');
const inOneDay = new Date(now.getTime() + 86_400_000);

describe('verdictOf', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'failed'],
    [401, 'failed'],
    [404, 'failed'],
    [410, 'failed'],
    [301, 'failed'],
  ] as const)('answers status %i with %s', (statusCode, verdict) => {
    expect(verdictOf({ kind: 'response', statusCode })).toBe(verdict);
  });

  it('retries network errors and fails refused addresses', () => {
    expect(verdictOf({ kind: 'network', error: 'ECONNREFUSED' })).toBe('retry');
    expect(verdictOf({ kind: 'refused', error: '10.0.0.1 is private' })).toBe('failed');
  });
});

describe('nextStep', () => {
  it('finishes delivered and failed attempts at once', () => {
    expect(nextStep('delivered', { attempt: 1, now, deadline: inOneDay, policy })).toEqual({
      status: 'delivered',
    });
    expect(nextStep('failed', { attempt: 9, now, deadline: inOneDay, policy })).toEqual({ status: 'failed' });
  });

  it('backs off exponentially with equal jitter, up to the maximum', () => {
    const delay = (attempt: number, r: number) => {
      const step = nextStep('retry', { attempt, now, deadline: inOneDay, policy, random: () => r });
      if (step.status !== 'pending') throw new Error('expected a retry');
      return step.delayMs;
    };
    expect([delay(1, 0), delay(1, 1)]).toEqual([500, 1_000]);
    expect([delay(2, 0), delay(2, 1)]).toEqual([1_000, 2_000]);
    expect([delay(4, 0), delay(4, 1)]).toEqual([4_000, 8_000]);
    expect([delay(30, 0), delay(30, 1)]).toEqual([30_000, 60_000]);
  });

  it('waits at least as long as Retry-After asks', () => {
    const step = nextStep('retry', {
      attempt: 1,
      now,
      deadline: inOneDay,
      retryAfterMs: 120_000,
      policy,
      random: () => 0,
    });
    expect(step).toEqual({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + 120_000),
      delayMs: 120_000,
    });
  });

  it('makes the last attempt at the deadline, and dead-letters a retry due after it', () => {
    const deadline = new Date(now.getTime() + 300);
    const last = nextStep('retry', { attempt: 3, now, deadline, policy, random: () => 1 });
    expect(last).toEqual({ status: 'pending', nextAttemptAt: deadline, delayMs: 300 });
    expect(nextStep('retry', { attempt: 4, now: deadline, deadline, policy })).toEqual({ status: 'dead' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
