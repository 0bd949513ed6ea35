import { describe, expect, it } from 'vitest';
import { Wakeups } from './wakeups.js';

describe('wake-ups', () => {
  it('release a waiter on wake', async () => {
    const w = new Wakeups();
    const waiting = w.wait(60_000, w.generation);
    w.wake();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('do not lose a wake that came between the read and the wait', async () => {
    const w = new Wakeups();
    const seen = w.generation;
    w.wake();
    const started = Date.now();
    await w.wait(60_000, seen);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('end the wait on abort and on time-out', async () => {
    const w = new Wakeups();
    const abort = new AbortController();
    const waiting = w.wait(60_000, w.generation, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(w.wait(5, w.generation)).resolves.toBeUndefined();
  });
});
