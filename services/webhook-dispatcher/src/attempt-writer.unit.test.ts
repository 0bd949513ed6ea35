import { describe, expect, it } from 'vitest';
import { AttemptWriter } from './attempt-writer.js';
import type { AttemptToRecord, RecordedAttempt } from './delivery-queue.js';

const attempt = (queue: string): AttemptToRecord => ({
  deliveryId: queue,
  attempt: 1,
  startedAt: new Date(0),
  latencyMs: 1,
  statusCode: 200,
  outcome: 'delivered',
  key: { webhookId: 'w', orderingKey: queue },
  take: true,
});

/** A write whose statements finish when the test says so. */
function heldWrites() {
  const statements: { queues: string[]; finish(): void; fail(err: Error): void }[] = [];
  const write = (attempts: AttemptToRecord[]) =>
    new Promise<RecordedAttempt[]>((resolve, reject) => {
      statements.push({
        queues: attempts.map((a) => a.key.orderingKey),
        finish: () => resolve(attempts.map(() => ({ next: undefined, moved: true }))),
        fail: reject,
      });
    });
  return { statements, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('AttemptWriter', () => {
  it('given attempts finishing in one turn, when recorded, then they share one statement, in queue order', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write, { concurrency: 2, maxBatch: 256 });
    const recorded = ['c', 'a', 'b'].map((q) => writer.record(attempt(q)));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a', 'b', 'c']]);
    statements[0]!.finish();
    await expect(Promise.all(recorded)).resolves.toHaveLength(3);
  });

  it('given statements in flight up to the limit, when more attempts come, then they wait and go together', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write, { concurrency: 2, maxBatch: 256 });
    const first = writer.record(attempt('a'));
    await turn();
    const second = writer.record(attempt('b'));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a'], ['b']]);

    const later = ['d', 'c'].map((q) => writer.record(attempt(q)));
    await turn();
    expect(statements).toHaveLength(2);

    statements[0]!.finish();
    await first;
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a'], ['b'], ['c', 'd']]);
    statements[1]!.finish();
    statements[2]!.finish();
    await Promise.all([second, ...later]);
  });

  it('given a failed statement, then every attempt in it fails and the writer goes on', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write, { concurrency: 1, maxBatch: 256 });
    const failing = [writer.record(attempt('a')), writer.record(attempt('b'))];
    await turn();
    statements[0]!.fail(new Error('connection lost'));
    for (const p of failing) await expect(p).rejects.toThrow('connection lost');

    const next = writer.record(attempt('a'));
    await turn();
    statements[1]!.finish();
    await expect(next).resolves.toEqual({ next: undefined, moved: true });
  });

  it('given more attempts than a statement takes, then they are split', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write, { concurrency: 2, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((q) => writer.record(attempt(q)));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    statements[0]!.finish();
    await turn();
    expect(statements.map((s) => s.queues).at(-1)).toEqual(['e']);
    statements[1]!.finish();
    statements[2]!.finish();
    await Promise.all(all);
  });
});
