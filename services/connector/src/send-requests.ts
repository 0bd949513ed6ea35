import type { ProviderRequest, ProviderResponse, SendOutcome } from '@switchboard/contracts';
import type { CallResult } from './provider-transport.js';

/** What became of one delivery's provider calls. */
export type DeliveryOutcome =
  /** Every id the provider gave, one per request that had one, in send order. */
  | { kind: 'sent'; providerMessageIds: string[] }
  | { kind: 'failed'; reason: string; retryable: boolean }
  | { kind: 'unknown'; reason: string };

type NotSent = Exclude<SendOutcome, { kind: 'sent' }>;

/** The requests of one delivery, made ready one at a time (Teams puts a fresh token in each). */
export interface SendPlan {
  count: number;
  /** The index-th request, or why it cannot be made (Teams: no token). */
  request(index: number): Promise<ProviderRequest | NotSent>;
  /** Told a request was refused as unauthorized; true when trying again may help (a stale token). */
  unauthorized?(response: ProviderResponse): boolean;
}

export interface SendDeps {
  call(request: ProviderRequest): Promise<CallResult>;
  interpret(response: ProviderResponse): SendOutcome;
  /** Provider calls per request before giving up. */
  attempts: number;
  /** Backoff after a transient failure without Retry-After: doubles per attempt, with jitter. */
  retryInitialMs: number;
  /** Longest wait; a provider asking for longer is not waited for. */
  retryMaxMs: number;
  /** Waits for this delivery's turn under the provider's rate limits. */
  pace(): Promise<void>;
  sleep(ms: number): Promise<void>;
  random?: () => number;
}

/**
 * Sends a delivery's requests in order. Each transient failure (429, 5xx, no answer) is tried again
 * after the provider's Retry-After, or a growing backoff, up to `attempts` calls; a refusal ends the
 * delivery as failed with the provider's reason; running out of attempts ends it as failed but
 * retryable, or unknown when the last call may have gone out unanswered.
 */
export async function sendRequests(plan: SendPlan, deps: SendDeps): Promise<DeliveryOutcome> {
  const providerMessageIds: string[] = [];
  for (let index = 0; index < plan.count; index++) {
    const outcome = await sendOne(plan, index, deps);
    if (outcome.kind !== 'sent') return index === 0 ? outcome : partly(outcome, index, plan.count);
    if (outcome.providerMessageId !== undefined) providerMessageIds.push(outcome.providerMessageId);
  }
  return { kind: 'sent', providerMessageIds };
}

type RequestOutcome =
  | { kind: 'sent'; providerMessageId?: string }
  | Exclude<DeliveryOutcome, { kind: 'sent' }>;

async function sendOne(plan: SendPlan, index: number, deps: SendDeps): Promise<RequestOutcome> {
  let last: { reason: string; mayHaveBeenSent: boolean } = { reason: 'not sent', mayHaveBeenSent: false };
  let reauthorized = false;
  for (let attempt = 1; attempt <= deps.attempts; attempt++) {
    const request = await plan.request(index);
    let outcome: SendOutcome;
    if ('kind' in request) {
      outcome = request;
    } else {
      await deps.pace();
      const result = await deps.call(request);
      if (result.kind === 'no-answer') {
        last = { reason: result.reason, mayHaveBeenSent: result.mayHaveBeenSent };
        if (attempt < deps.attempts) await deps.sleep(backoff(attempt, deps));
        continue;
      }
      // A token that expired early: fetch a new one and try again at once, once.
      if (result.response.status === 401 && !reauthorized && plan.unauthorized?.(result.response)) {
        reauthorized = true;
        attempt--;
        continue;
      }
      outcome = deps.interpret(result.response);
    }
    switch (outcome.kind) {
      case 'sent':
        return outcome.providerMessageId === undefined
          ? { kind: 'sent' }
          : { kind: 'sent', providerMessageId: outcome.providerMessageId };
      case 'failed':
        return { kind: 'failed', reason: outcome.reason, retryable: false };
      case 'retry': {
        last = { reason: outcome.reason, mayHaveBeenSent: false };
        if (attempt === deps.attempts) break;
        const wait = outcome.retryAfterMs ?? backoff(attempt, deps);
        if (wait > deps.retryMaxMs) {
          const seconds = Math.ceil(wait / 1000);
          return {
            kind: 'failed',
            reason: `${outcome.reason} (asked to wait ${seconds} s)`,
            retryable: true,
          };
        }
        await deps.sleep(wait);
        break;
      }
      default: {
        const unknown: never = outcome;
        throw new Error(`unknown send outcome ${JSON.stringify(unknown)}`);
      }
    }
  }
  const reason = `${last.reason} (gave up after ${deps.attempts} attempts)`;
  return last.mayHaveBeenSent ? { kind: 'unknown', reason } : { kind: 'failed', reason, retryable: true };
}

/** Exponential with equal jitter: half the step for sure, the other half at random, at most the cap. */
export function backoff(attempt: number, deps: Pick<SendDeps, 'retryInitialMs' | 'retryMaxMs' | 'random'>) {
  const step = Math.min(deps.retryMaxMs, deps.retryInitialMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (deps.random ?? Math.random)() * (step / 2));
}

function partly(outcome: Exclude<DeliveryOutcome, { kind: 'sent' }>, sent: number, count: number) {
  return { ...outcome, reason: `${outcome.reason} (after ${sent} of ${count} parts were sent)` };
}
