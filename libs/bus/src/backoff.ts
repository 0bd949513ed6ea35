/** How long a failed message waits before its next delivery. */
export interface RetryPolicy {
  /** Explicit delays by attempt: entry i follows the (i+1)-th failed delivery; the last one repeats. */
  readonly backoffMs?: readonly number[];
  /** Exponential policy (used when no explicit list): the ceiling after the first failure. */
  readonly initialMs?: number;
  /** Upper bound of any delay. */
  readonly maxMs?: number;
  /** Growth factor per failed delivery. */
  readonly factor?: number;
}

export const DEFAULT_RETRY = { initialMs: 1_000, maxMs: 5 * 60_000, factor: 2 } as const;

/**
 * Delay before redelivering a message that failed on its `deliveryCount`-th delivery (1-based).
 *
 * Exponential with "equal jitter": the ceiling is `initial * factor^(n-1)` capped at `max`, and the delay
 * is drawn from [ceiling/2, ceiling]. Half the ceiling spreads replicas that failed together; the other
 * half keeps each delay at least as long as the previous one's ceiling when factor >= 2, so the
 * spacing between deliveries never shrinks before the cap.
 */
export function retryDelayMs(
  deliveryCount: number,
  policy: RetryPolicy = {},
  random: () => number = Math.random,
): number {
  const attempt = Math.max(1, Math.floor(deliveryCount));
  const explicit = policy.backoffMs;
  if (explicit && explicit.length > 0) {
    const delay = explicit[Math.min(attempt, explicit.length) - 1] ?? 0;
    return Math.max(0, Math.round(delay));
  }
  const initial = policy.initialMs ?? DEFAULT_RETRY.initialMs;
  const max = policy.maxMs ?? DEFAULT_RETRY.maxMs;
  const factor = policy.factor ?? DEFAULT_RETRY.factor;
  if (!(initial > 0) || !(max > 0) || !(factor >= 1)) {
    throw new RangeError(`invalid retry policy ${JSON.stringify(policy)}`);
  }
  const ceiling = Math.min(max, initial * factor ** (attempt - 1));
  const half = ceiling / 2;
  return Math.round(half + half * clamp01(random()));
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
