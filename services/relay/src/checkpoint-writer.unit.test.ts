import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RelayCheckpoint } from './checkpoint.js';
import { CheckpointWriter } from './checkpoint-writer.js';

const checkpoint = (n: number): RelayCheckpoint => ({
  position: { commit: BigInt(n), prepare: BigInt(n) },
  eventId: `event-${n}`,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function writer(intervalMs: number, failures = 0) {
  const written: string[] = [];
  const errors: unknown[] = [];
  let failing = failures;
  const w = new CheckpointWriter(
    async (c) => {
      if (failing-- > 0) throw new Error('database gone');
      written.push(c.eventId);
    },
    intervalMs,
    (e) => errors.push(e),
  );
  return { w, written, errors };
}

describe('CheckpointWriter', () => {
  it('given a burst of batches, writes the first at once and the last when the interval is up', async () => {
    const { w, written } = writer(200);

    await w.update(checkpoint(1));
    await w.update(checkpoint(2));
    await w.update(checkpoint(3));
    expect(written).toEqual(['event-1']);

    await vi.advanceTimersByTimeAsync(199);
    expect(written).toEqual(['event-1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual(['event-1', 'event-3']);
  });

  it('when flushed, writes what is pending at once and nothing later', async () => {
    const { w, written } = writer(200);
    await w.update(checkpoint(1));
    await w.update(checkpoint(2));

    await w.flush();
    expect(written).toEqual(['event-1', 'event-2']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(written).toEqual(['event-1', 'event-2']);
  });

  it('given a failed write, reports it and writes that checkpoint (or a later one) with the next', async () => {
    const { w, written, errors } = writer(0, 1);

    await w.update(checkpoint(1));
    expect(errors).toHaveLength(1);
    expect(written).toEqual([]);

    await w.flush();
    expect(written).toEqual(['event-1']);
  });

  it('when a flush fails, throws', async () => {
    const { w } = writer(200, 2);
    await w.update(checkpoint(1));
    await w.update(checkpoint(2));

    await expect(w.flush()).rejects.toThrow('database gone');
  });
});
