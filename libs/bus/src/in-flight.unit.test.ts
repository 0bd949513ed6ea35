import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

function held() {
  let finish!: () => void;
  const task = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { task, finish };
}

describe('InFlight', () => {
  it('given room, when asked for it, then it answers at once, without a promise to wait for', () => {
    const running = new InFlight(2);
    running.add(held().task);
    expect(running.room()).toBeUndefined();
  });

  it('given the limit reached, when a task settles, then the one waiting gets room', async () => {
    const running = new InFlight(2);
    const a = held();
    running.add(a.task);
    running.add(held().task);
    let roomy = false;
    const waiting = running.room();
    expect(waiting).toBeInstanceOf(Promise);
    void waiting?.then(() => {
      roomy = true;
    });
    await turn();
    expect(roomy).toBe(false);
    a.finish();
    await turn();
    expect(roomy).toBe(true);
    expect(running.size).toBe(1);
  });

  it('given tasks running, when waiting for them all, then it resolves after the last', async () => {
    const running = new InFlight(4);
    const tasks = [held(), held()];
    for (const t of tasks) running.add(t.task);
    let all = false;
    void running.settled().then(() => {
      all = true;
    });
    tasks[0]!.finish();
    await turn();
    expect(all).toBe(false);
    tasks[1]!.finish();
    await turn();
    expect(all).toBe(true);
  });
});
