import { retryDelayMs } from '@switchboard/bus';

/** What one HTTP attempt came to. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; retryAfterMs?: number; error?: string }
  /** Connection refused or reset, DNS failure, time-out: worth another try. */
  | { kind: 'network'; error: string }
  /** The URL is not one we deliver to (SSRF guard, unsupported scheme): another try would be refused too. */
  | { kind: 'refused'; error: string };

export type Verdict = 'delivered' | 'retry' | 'failed';

/** 2xx delivered; 408, 429, 5xx and network errors retried; any other status failed without retry. */
export function verdictOf(result: AttemptResult): Verdict {
  switch (result.kind) {
    case 'response': {
      const s = result.statusCode;
      if (s >= 200 && s < 300) return 'delivered';
      if (s === 408 || s === 429 || s >= 500) return 'retry';
      return 'failed';
    }
    case 'network':
      return 'retry';
    case 'refused':
      return 'failed';
    default: {
      const never: never = result;
      throw new Error(`unknown attempt result ${JSON.stringify(never)}`);
    }
  }
}

export interface BackoffPolicy {
  /** Ceiling of the delay after the first failure; it doubles per failure, drawn with equal jitter. */
  initialMs: number;
  maxMs: number;
}

export type NextStep =
  | { status: 'delivered' | 'failed' | 'dead' }
  | { status: 'pending'; nextAttemptAt: Date; delayMs: number };

/**
 * What follows an attempt. A retry waits the exponential backoff, or longer when the receiver asked
 * (`Retry-After`), but never past the deadline: the last attempt is made at the deadline, and a retry
 * due after it is dead-lettered instead.
 */
export function nextStep(
  verdict: Verdict,
  options: {
    attempt: number;
    now: Date;
    deadline: Date;
    retryAfterMs?: number;
    policy: BackoffPolicy;
    random?: () => number;
  },
): NextStep {
  if (verdict === 'delivered' || verdict === 'failed') return { status: verdict };
  const { now, deadline } = options;
  if (now.getTime() >= deadline.getTime()) return { status: 'dead' };
  const backoff = retryDelayMs(
    options.attempt,
    { initialMs: options.policy.initialMs, maxMs: options.policy.maxMs, factor: 2 },
    options.random,
  );
  const wanted = Math.max(backoff, options.retryAfterMs ?? 0);
  const at = Math.min(now.getTime() + wanted, deadline.getTime());
  return { status: 'pending', nextAttemptAt: new Date(at), delayMs: at - now.getTime() };
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; undefined when unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month; Date.parse alone would take '-5' for a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
