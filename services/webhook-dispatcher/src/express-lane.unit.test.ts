import { describe, expect, it } from 'vitest';
import { type ExpressItem, type ExpressLedger, ExpressQueues, oldestArrival } from './express-lane.js';
import type { FreshDelivery } from './express-store.js';

const ledger: ExpressLedger = { stream: 'EVENTS', checkpointAfter: () => undefined, settled: () => {} };

const item = (orderingKey: string, seq: number, webhookId = 'w1'): ExpressItem => ({
  delivery: { webhookId, orderingKey, seq, id: String(seq) } as FreshDelivery,
  ledger,
});

describe('ExpressQueues', () => {
  it('given fresh deliveries, when added, then each queue keeps its own in log order and is idle', () => {
    const queues = new ExpressQueues();
    const { idle, refused } = queues.add([item('a', 1), item('b', 2), item('a', 3)], queues.generation, 0);
    expect(refused).toEqual([]);
    expect(idle.map((q) => [q.id, q.items.map((i) => i.delivery.seq)])).toEqual([
      ['w1 a', [1, 3]],
      ['w1 b', [2]],
    ]);
    expect(queues.has({ webhookId: 'w1', orderingKey: 'a' })).toBe(true);
  });

  it('given a queue moved after the recorder looked, when its deliveries come, then they are refused', () => {
    const queues = new ExpressQueues();
    queues.add([item('a', 1)], queues.generation, 0);
    const looked = queues.generation;
    const [queue] = queues.queues();
    expect(queues.takeOut(queue!).map((i) => i.delivery.seq)).toEqual([1]);
    const { refused, idle } = queues.add([item('a', 2), item('b', 3)], looked, 0);
    expect(refused.map((i) => i.delivery.seq)).toEqual([2]);
    expect(idle.map((q) => q.id)).toEqual(['w1 b']);
  });

  it('given a queue moved before the recorder looked, when its deliveries come, then it starts again in memory', () => {
    const queues = new ExpressQueues();
    queues.add([item('a', 1)], queues.generation, 0);
    queues.takeOut(queues.queues()[0]!);
    const { refused, idle } = queues.add([item('a', 2)], queues.generation, 0);
    expect(refused).toEqual([]);
    expect(idle.map((q) => q.items.map((i) => i.delivery.seq))).toEqual([[2]]);
  });

  it('given a queue with a worker, when more comes, then it is not idle, and its wait is its oldest delivery’s', () => {
    const queues = new ExpressQueues();
    const [queue] = queues.add([item('a', 1)], queues.generation, 100).idle;
    queue!.running = true;
    expect(queues.add([item('a', 2)], queues.generation, 150).idle).toEqual([]);
    expect(oldestArrival(queue!)).toBe(100);
    queues.shift(queue!);
    expect(oldestArrival(queue!)).toBe(150);
    queues.shift(queue!);
    expect(oldestArrival(queue!)).toBeUndefined();
    queues.drop(queue!);
    expect(queues.queues()).toEqual([]);
  });
});
