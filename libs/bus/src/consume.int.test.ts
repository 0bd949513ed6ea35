import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsumeOutcome, outcome } from './consume.js';
import { REDRIVE_HEADERS } from './dead-letters.js';
import { keepWorking } from './keep-working.js';
import { eventually, gate, openTestBus, type TestBus } from './test-support.js';

describe('durable consumers', () => {
  let t: TestBus;
  beforeEach(async () => {
    t = await openTestBus('consume-test');
    await t.bus.ensureStandardStreams();
  });
  afterEach(async () => {
    await t.close();
  });

  const consumerState = async (stream: string, durable: string) => {
    const info = await t.bus.jsm.consumers.info(stream, durable);
    return {
      ackPending: info.num_ack_pending,
      pending: info.num_pending,
      ackFloor: info.ack_floor.stream_seq,
    };
  };

  it('redelivers a failing message with growing nak delays until it succeeds', async () => {
    const { bus } = t;
    const subject = bus.names.event('acme', 'conversation', 'c1', 'MessagePosted');
    const calls: { at: number; delivery: number }[] = [];
    await bus.consume({
      stream: bus.names.streams.events,
      durable: 'flaky',
      filterSubject: bus.names.events(),
      maxDeliver: 5,
      ackWaitMs: 30_000,
      // Ceilings 150 ms then 450 ms; equal jitter draws from [75, 150] then [225, 450].
      retry: { initialMs: 150, factor: 3 },
      handler: async (msg) => {
        calls.push({ at: performance.now(), delivery: msg.info.deliveryCount });
        if (calls.length < 3) throw new Error(`transient failure ${calls.length}`);
        return outcome.ack;
      },
    });
    await bus.publish(subject, { text: 'hi' });

    await eventually('three deliveries', () => calls.length >= 3);
    await eventually(
      'the ack',
      async () => (await consumerState(bus.names.streams.events, 'flaky')).ackFloor === 1,
    );
    expect(calls.map((c) => c.delivery)).toEqual([1, 2, 3]);
    const gaps = [calls[1]!.at - calls[0]!.at, calls[2]!.at - calls[1]!.at];
    console.info(`redelivery gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
    // Each gap is at least the smallest delay the policy could draw (5 ms allowance for timers)…
    expect(gaps[0]).toBeGreaterThanOrEqual(75 - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(225 - 5);
    // …and the spacing grows.
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(await consumerState(bus.names.streams.events, 'flaky')).toMatchObject({
      ackPending: 0,
      pending: 0,
    });
  });

  it('dead-letters a poison message after max_deliver with its subject, headers and payload; re-drive brings it back', async () => {
    const { bus } = t;
    const subject = bus.names.event('acme', 'conversation', 'c2', 'MessagePosted');
    let healed = false;
    const received: JsMsg[] = [];
    await bus.consume({
      stream: bus.names.streams.events,
      durable: 'connector-test',
      filterSubject: bus.names.events(),
      maxDeliver: 3,
      ackWaitMs: 30_000,
      backoffMs: [20, 40],
      handler: async (msg) => {
        received.push(msg);
        if (!healed) throw new Error('provider said 500');
        return outcome.ack;
      },
    });
    const h = headers();
    h.set('Switchboard-Event-Id', 'evt-42');
    h.set('X-Custom', 'kept');
    const published = await bus.publish(subject, { text: 'poison' }, { headers: h, msgId: 'evt-42' });

    const [letter] = await eventually('a dead letter', async () => {
      const letters = await bus.listDeadLetters();
      return letters.length > 0 && letters;
    });
    expect(received).toHaveLength(3);
    expect(letter).toMatchObject({
      subject,
      stream: bus.names.streams.events,
      streamSeq: published.seq,
      consumer: 'connector-test',
      deliveries: 3,
      capturedBy: 'consumer',
      lost: false,
      originalMsgId: 'evt-42',
    });
    expect(letter!.reason).toMatch(/gave up after 3 deliveries.*provider said 500/);
    expect(new TextDecoder().decode(letter!.data)).toBe(JSON.stringify({ text: 'poison' }));
    expect(letter!.headers.get('Switchboard-Event-Id')).toBe('evt-42');
    expect(letter!.headers.get('X-Custom')).toBe('kept');
    expect(await bus.getDeadLetter(letter!.seq)).toMatchObject({ subject, streamSeq: published.seq });
    // Terminated, so the consumer has nothing pending for it any more.
    expect(await consumerState(bus.names.streams.events, 'connector-test')).toMatchObject({ ackPending: 0 });

    healed = true;
    const { ack } = await bus.redriveDeadLetter(letter!.seq);
    expect(ack.stream).toBe(bus.names.streams.events);
    const back = await eventually('the re-driven message', () => received.find((m) => m.seq === ack.seq));
    expect(back.subject).toBe(subject);
    expect(back.json()).toEqual({ text: 'poison' });
    expect(back.headers?.get('X-Custom')).toBe('kept');
    expect(back.headers?.get(REDRIVE_HEADERS.from)).toBe(`${bus.names.streams.dlq}:${letter!.seq}`);
    expect(back.headers?.get(REDRIVE_HEADERS.originalMsgId)).toBe('evt-42');
    expect(await bus.getDeadLetter(letter!.seq)).toBeUndefined();
    expect(await bus.listDeadLetters()).toEqual([]);
    await eventually(
      'the re-driven ack',
      async () => (await consumerState(bus.names.streams.events, 'connector-test')).ackFloor === ack.seq,
    );
  });

  it('dead-letters a `dead` outcome at once, copying it before the work queue drops it', async () => {
    const { bus } = t;
    const subject = bus.names.inbox('acme', 'telegram');
    let calls = 0;
    await bus.consume({
      stream: bus.names.streams.inbox,
      durable: 'inbound',
      filterSubject: bus.names.inboxes(),
      maxDeliver: 5,
      ackWaitMs: 30_000,
      handler: async (): Promise<ConsumeOutcome> => {
        calls++;
        return outcome.dead('unsupported update kind');
      },
    });
    const h = headers();
    h.set('X-Provider', 'telegram');
    await bus.publish(subject, { update_id: 9 }, { headers: h, msgId: 'telegram:9' });

    const [letter] = await eventually('a dead letter', async () => {
      const letters = await bus.listDeadLetters({ stream: bus.names.streams.inbox });
      return letters.length > 0 && letters;
    });
    expect(calls).toBe(1);
    expect(letter).toMatchObject({
      subject,
      consumer: 'inbound',
      deliveries: 1,
      reason: 'unsupported update kind',
    });
    expect(letter!.headers.get('X-Provider')).toBe('telegram');
    expect(JSON.parse(new TextDecoder().decode(letter!.data))).toEqual({ update_id: 9 });
    // The work queue dropped the terminated original: the DLQ copy is the only one left.
    await eventually(
      'the work queue to drop it',
      async () => (await bus.jsm.streams.info(bus.names.streams.inbox)).state.messages === 0,
    );
  });

  it('keeps order with concurrency 1: a message waiting for its retry holds back the next ones', async () => {
    const { bus } = t;
    const done: number[] = [];
    const failedOnce = new Set<number>();
    await bus.consume({
      stream: bus.names.streams.inbox,
      durable: 'ordered',
      maxDeliver: 5,
      ackWaitMs: 30_000,
      backoffMs: [150],
      handler: async (msg) => {
        const { n } = msg.json<{ n: number }>();
        if (n === 1 && !failedOnce.has(n)) {
          failedOnce.add(n);
          return outcome.retry();
        }
        done.push(n);
        return outcome.ack;
      },
    });
    for (let n = 1; n <= 5; n++) await bus.publish(bus.names.inbox('acme', 'sms'), { n });
    await eventually('five acks', () => done.length === 5);
    expect(done).toEqual([1, 2, 3, 4, 5]);
  });

  it('handles up to `concurrency` messages at once', async () => {
    const { bus } = t;
    const allStarted = gate();
    let running = 0;
    let peak = 0;
    let handled = 0;
    await bus.consume({
      stream: bus.names.streams.inbox,
      durable: 'parallel',
      maxDeliver: 3,
      ackWaitMs: 30_000,
      concurrency: 3,
      handler: async () => {
        running++;
        peak = Math.max(peak, running);
        if (running === 3) allStarted.open();
        // Each handler waits until three run together: impossible unless they run concurrently.
        await allStarted.promise;
        running--;
        handled++;
        return outcome.ack;
      },
    });
    for (let n = 1; n <= 6; n++) await bus.publish(bus.names.inbox('acme', 'email'), { n });
    await eventually('six handled', () => handled === 6);
    expect(peak).toBe(3);
  });

  it('stop() stops pulling and waits for the in-flight handler, whose ack is kept', async () => {
    const { bus } = t;
    const started = gate();
    const events: string[] = [];
    let calls = 0;
    const handle = await bus.consume({
      stream: bus.names.streams.inbox,
      durable: 'stopper',
      maxDeliver: 3,
      ackWaitMs: 30_000,
      handler: async () => {
        calls++;
        started.open();
        // Simulated work that outlasts the stop() call.
        await new Promise((resolve) => setTimeout(resolve, 300));
        events.push('handler finished');
        return outcome.ack;
      },
    });
    await bus.publish(bus.names.inbox('acme', 'slack'), { n: 1 });
    await started.promise;
    await handle.stop().then(() => events.push('stopped'));
    expect(events).toEqual(['handler finished', 'stopped']);
    expect(await handle.done).toBeUndefined();

    await eventually(
      'the ack',
      async () => (await consumerState(bus.names.streams.inbox, 'stopper')).ackFloor === 1,
    );
    // Stopped: a later message stays in the stream.
    await bus.publish(bus.names.inbox('acme', 'slack'), { n: 2 });
    expect(await consumerState(bus.names.streams.inbox, 'stopper')).toMatchObject({
      pending: 1,
      ackPending: 0,
    });
    expect(calls).toBe(1);
  });

  it('keeps a message its handler works on longer than the ack wait from being handed out again', async () => {
    const { bus } = t;
    const deliveries: number[] = [];
    await bus.consume({
      stream: bus.names.streams.events,
      durable: 'slow-worker',
      filterSubject: bus.names.events(),
      maxDeliver: 5,
      ackWaitMs: 600,
      handler: async (msg) => {
        deliveries.push(msg.info.deliveryCount);
        return keepWorking(
          msg,
          () => new Promise<ConsumeOutcome>((r) => setTimeout(() => r(outcome.ack), 1_800)),
          200,
        );
      },
    });
    await bus.publish(bus.names.event('acme', 'conversation', 'c9', 'MessagePosted'), { text: 'slow' });
    await eventually(
      'the ack',
      async () => (await consumerState(bus.names.streams.events, 'slow-worker')).ackFloor === 1,
    );
    // Three ack waits went by while it worked: without the heartbeat it would have come back.
    expect(deliveries).toEqual([1]);
  });
});
