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
    const writer = new AttemptWriter(write);
    const recorded = ['c', 'a', 'b'].map((q) => writer.record(attempt(q)));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a', 'b', 'c']]);
    statements[0]!.finish();
    await expect(Promise.all(recorded)).resolves.toHaveLength(3);
  });

  it('given a statement in flight, when more attempts come, then they wait for it and go together', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write);
    const first = writer.record(attempt('a'));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a']]);

    const later = [writer.record(attempt('c')), writer.record(attempt('b'))];
    await turn();
    const third = writer.record(attempt('d'));
    await turn();
    expect(statements).toHaveLength(1);

    statements[0]!.finish();
    await first;
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a'], ['b', 'c', 'd']]);
    statements[1]!.finish();
    await Promise.all([...later, third]);
  });

  it('given a failed statement, then every attempt in it fails and the writer goes on', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write);
    const failing = [writer.record(attempt('a')), writer.record(attempt('b'))];
    await turn();
    statements[0]!.fail(new Error('connection lost'));
    for (const p of failing) await expect(p).rejects.toThrow('connection lost');

    const next = writer.record(attempt('a'));
    await turn();
    statements[1]!.finish();
    await expect(next).resolves.toEqual({ next: undefined, moved: true });
  });

  it('given more attempts than a statement takes, then they are split, one statement after the other', async () => {
    const { statements, write } = heldWrites();
    const writer = new AttemptWriter(write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((q) => writer.record(attempt(q)));
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([['a', 'b']]);
    statements[0]!.finish();
    await turn();
    expect(statements.map((s) => s.queues)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    statements[1]!.finish();
    await turn();
    expect(statements.map((s) => s.queues).at(-1)).toEqual(['e']);
    statements[2]!.finish();
    await Promise.all(all);
  });
});
