import { classifyHttpAnswer } from '@switchboard/channel-common';
import type { ProviderRequest, ProviderResponse } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import type { CallResult } from './provider-transport.js';
import { type SendDeps, type SendPlan, sendRequests } from './send-requests.js';

const request = (path: string): ProviderRequest => ({ method: 'POST', path, headers: {} });
const answer = (status: number, headers: Record<string, string> = {}, body = ''): CallResult => ({
  kind: 'answer',
  response: { status, headers, body },
});

/** A provider that answers each call with the next scripted result, and what was waited. */
function harness(script: CallResult[], overrides: Partial<SendDeps> = {}) {
  const calls: string[] = [];
  const waits: number[] = [];
  const deps: SendDeps = {
    call: async (req) => {
      calls.push(req.path);
      const next = script.shift();
      if (!next) throw new Error('no more scripted answers');
      return next;
    },
    // The usual reading, with the body as the provider's reason and its message id.
    interpret: (response: ProviderResponse) =>
      classifyHttpAnswer(response, {
        ...(response.body ? { errorReason: response.body } : {}),
        ...(response.status < 300 ? { providerMessageId: `id-${calls.length}` } : {}),
      }),
    attempts: 4,
    retryInitialMs: 100,
    retryMaxMs: 5_000,
    pace: async () => {},
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 1,
    ...overrides,
  };
  return { deps, calls, waits };
}

const plan = (...paths: string[]): SendPlan => ({
  count: paths.length,
  request: async (index) => request(paths[index] ?? '?'),
});

describe('sendRequests', () => {
  it('sends every request in order and keeps every provider message id, in order', async () => {
    const { deps, calls } = harness([answer(200), answer(200), answer(200)]);
    expect(await sendRequests(plan('/a', '/b', '/c'), deps)).toEqual({
      kind: 'sent',
      providerMessageIds: ['id-1', 'id-2', 'id-3'],
    });
    expect(calls).toEqual(['/a', '/b', '/c']);
  });

  it('keeps the id of each request once it went out, and none of a request without one', async () => {
    const { deps } = harness([answer(200), answer(429, { 'retry-after': '1' }), answer(200)]);
    expect(await sendRequests(plan('/a', '/b'), deps)).toEqual({
      kind: 'sent',
      providerMessageIds: ['id-1', 'id-3'],
    });
    const anonymous = harness([answer(200)], { interpret: (response) => classifyHttpAnswer(response, {}) });
    expect(await sendRequests(plan('/a'), anonymous.deps)).toEqual({ kind: 'sent', providerMessageIds: [] });
  });

  it('waits what a 429 asks before trying again', async () => {
    const { deps, calls, waits } = harness([answer(429, { 'retry-after': '2' }), answer(200)]);
    expect(await sendRequests(plan('/a'), deps)).toMatchObject({ kind: 'sent' });
    expect(calls).toEqual(['/a', '/a']);
    expect(waits).toEqual([2_000]);
  });

  it('backs off, doubling, after 5xx answers and refused connections', async () => {
    const refused: CallResult = { kind: 'no-answer', reason: 'ECONNREFUSED', mayHaveBeenSent: false };
    const { deps, waits } = harness([answer(503), refused, answer(502), answer(200)]);
    expect(await sendRequests(plan('/a'), deps)).toMatchObject({ kind: 'sent' });
    expect(waits).toEqual([100, 200, 400]);
  });

  it('fails at once with the provider’s reason when it refuses', async () => {
    const { deps, calls } = harness([answer(400, {}, 'Bad Request: chat not found')]);
    expect(await sendRequests(plan('/a', '/b'), deps)).toEqual({
      kind: 'failed',
      reason: 'Bad Request: chat not found',
      retryable: false,
    });
    expect(calls).toEqual(['/a']);
  });

  it('says how many parts went out before a refusal', async () => {
    const { deps } = harness([answer(200), answer(400, {}, 'too long')]);
    expect(await sendRequests(plan('/a', '/b', '/c'), deps)).toMatchObject({
      kind: 'failed',
      reason: 'too long (after 1 of 3 parts were sent)',
    });
  });

  it('gives up after its attempts: failed but retryable, or unknown when the last call went unanswered', async () => {
    const busy = harness([answer(503), answer(503), answer(503), answer(503)]);
    expect(await sendRequests(plan('/a'), busy.deps)).toEqual({
      kind: 'failed',
      reason: 'HTTP 503 (gave up after 4 attempts)',
      retryable: true,
    });
    expect(busy.waits).toHaveLength(3);
    const timeout: CallResult = {
      kind: 'no-answer',
      reason: 'no answer within 10 ms',
      mayHaveBeenSent: true,
    };
    const silent = harness([answer(503), timeout, timeout, timeout]);
    expect(await sendRequests(plan('/a'), silent.deps)).toEqual({
      kind: 'unknown',
      reason: 'no answer within 10 ms (gave up after 4 attempts)',
    });
  });

  it('does not wait longer than its limit', async () => {
    const { deps, waits } = harness([answer(429, { 'retry-after': '3600' })]);
    expect(await sendRequests(plan('/a'), deps)).toMatchObject({ kind: 'failed', retryable: true });
    expect(waits).toEqual([]);
  });

  it('tries once more at once after an unauthorized answer the plan can fix', async () => {
    const { deps, calls, waits } = harness([answer(401), answer(201)]);
    let fixed = 0;
    const teams: SendPlan = { ...plan('/a'), unauthorized: () => ++fixed === 1 };
    expect(await sendRequests(teams, deps)).toMatchObject({ kind: 'sent' });
    expect(calls).toEqual(['/a', '/a']);
    expect(waits).toEqual([]);
  });

  it('treats a request that cannot be made like a provider answer', async () => {
    const { deps, calls } = harness([]);
    const noToken: SendPlan = {
      count: 1,
      request: async () => ({ kind: 'failed', reason: 'AADSTS7000215: Invalid client secret provided.' }),
    };
    expect(await sendRequests(noToken, deps)).toMatchObject({ kind: 'failed', retryable: false });
    expect(calls).toEqual([]);
  });
});
