import { describe, expect, it } from 'vitest';
import { Permits } from './permits.js';

describe('Permits', () => {
  it('lets `size` holders in at once and the others in arrival order as permits come back', async () => {
    const permits = new Permits(2);
    const order: string[] = [];
    const a = await permits.acquire();
    const b = await permits.acquire();
    expect(permits.idle).toBe(false);
    const inOrder = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const c = permits.acquire().then(inOrder('c'));
    const d = permits.acquire().then(inOrder('d'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    b();
    b(); // a second release of the same permit changes nothing
    const releaseC = await c;
    expect(order).toEqual(['c']);
    a();
    (await d)();
    releaseC();
    expect(order).toEqual(['c', 'd']);
    expect(permits.idle).toBe(true);
  });

  it('gives a free permit at once without waiting, and none while every permit is held or awaited', async () => {
    const permits = new Permits(1);
    const a = permits.tryAcquire();
    expect(a).toBeDefined();
    expect(permits.tryAcquire()).toBeUndefined();
    const waiting = permits.acquire();
    a?.();
    // The permit went to the one waiting: a newcomer gets none.
    expect(permits.tryAcquire()).toBeUndefined();
    (await waiting)();
    expect(permits.idle).toBe(true);
    const b = permits.tryAcquire();
    expect(b).toBeDefined();
    b?.();
    expect(permits.idle).toBe(true);
  });
});
