import { retryDelayMs } from '@switchboard/bus';
import { describe, expect, it } from 'vitest';
import { untilWritten, WRITE_RETRY } from './until-written.js';

/** A write failing its first `failures` calls. */
function failing(failures: number) {
  const calls = { count: 0 };
  const write = async () => {
    calls.count++;
    if (calls.count <= failures) throw new Error(`down ${calls.count}`);
    return 'written';
  };
  return { calls, write };
}

describe('untilWritten', () => {
  it('given a write failing twice, when run, then it is tried until it succeeds and each failure is told', async () => {
    const { calls, write } = failing(2);
    const told: [string, number][] = [];
    const result = await untilWritten(write, {
      onError: (err, tries) => told.push([(err as Error).message, tries]),
      giveUp: () => false,
      delayMs: () => 1,
    });
    expect(result).toBe('written');
    expect(calls.count).toBe(3);
    expect(told).toEqual([
      ['down 1', 1],
      ['down 2', 2],
    ]);
  });

  it('given a write that keeps failing, when giving up after two tries, then the last failure is thrown', async () => {
    const { calls, write } = failing(10);
    await expect(
      untilWritten(write, { onError: () => {}, giveUp: (tries) => tries >= 2, delayMs: () => 1 }),
    ).rejects.toThrow('down 2');
    expect(calls.count).toBe(2);
  });

  it('waits up to 200 ms after the first failure, doubling, never more than 5 s, and at least half that', () => {
    const tries = [1, 2, 3, 5, 6, 20];
    expect(tries.map((t) => retryDelayMs(t, WRITE_RETRY, () => 1))).toEqual([
      200, 400, 800, 3_200, 5_000, 5_000,
    ]);
    expect(tries.map((t) => retryDelayMs(t, WRITE_RETRY, () => 0))).toEqual([
      100, 200, 400, 1_600, 2_500, 2_500,
    ]);
  });
});
