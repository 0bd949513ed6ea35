import { headers, nanos } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome } from './consume.js';
import { eventually, openTestBus, type TestBus } from './test-support.js';

describe('dead letters captured from server advisories', () => {
  let t: TestBus;
  beforeEach(async () => {
    t = await openTestBus('collector-test');
    await t.bus.ensureStandardStreams();
    await t.bus.collectDeadLetters();
  });
  afterEach(async () => {
    await t.close();
  });

  /** A worker that takes every delivery and dies before acking: only the server knows it gave up. */
  const crashOnEveryDelivery = async (stream: string, durable: string, deliveries: number) => {
    const { bus } = t;
    await bus.ensureConsumer(stream, {
      durable_name: durable,
      max_deliver: deliveries,
      ack_wait: nanos(1_000),
    });
    const consumer = await bus.js.consumers.get(stream, durable);
    for (let n = 1; n <= deliveries; n++) {
      const msg = await consumer.next({ expires: 5_000 });
      expect(msg?.info.deliveryCount).toBe(n);
    }
    // A restarted replica pulls again: it is not given the message, and (on 2.9) only a waiting pull
    // makes the server notice the expired last delivery and emit the max-deliveries advisory.
    expect(await consumer.next({ expires: 2_000 })).toBeNull();
  };

  const oneDeadLetter = async (stream: string) =>
    (
      await eventually('a dead letter', async () => {
        const letters = await t.bus.listDeadLetters({ stream });
        return letters.length > 0 && letters;
      })
    )[0]!;

  it('copies a message whose consumer crashed on its last delivery from EVENTS into the DLQ', async () => {
    const { bus } = t;
    const subject = bus.names.event('acme', 'delivery', 'd1', 'DeliveryRequested');
    const h = headers();
    h.set('X-Trace-Me', 'yes');
    const published = await bus.publish(subject, { to: '+15550100' }, { headers: h, msgId: 'evt-d1' });

    await crashOnEveryDelivery(bus.names.streams.events, 'connector-sms', 2);
    const letter = await oneDeadLetter(bus.names.streams.events);

    expect(letter).toMatchObject({
      subject,
      streamSeq: published.seq,
      consumer: 'connector-sms',
      deliveries: 2,
      capturedBy: 'advisory',
      lost: false,
      originalMsgId: 'evt-d1',
    });
    expect(letter.reason).toMatch(/max_deliver/);
    expect(letter.headers.get('X-Trace-Me')).toBe('yes');
    expect(JSON.parse(new TextDecoder().decode(letter.data))).toEqual({ to: '+15550100' });
    // EVENTS keeps its history: the original is still there for the other consumers.
    expect(await bus.jsm.streams.getMessage(bus.names.streams.events, { seq: published.seq })).not.toBeNull();
  });

  it('moves a max-delivered message out of the INBOX work queue, where nothing would ever take it', async () => {
    const { bus } = t;
    const subject = bus.names.inbox('acme', 'slack');
    await bus.publish(subject, { event_id: 'Ev1' }, { msgId: 'slack:Ev1' });

    await crashOnEveryDelivery(bus.names.streams.inbox, 'inbound', 2);
    const letter = await oneDeadLetter(bus.names.streams.inbox);

    expect(letter).toMatchObject({ subject, consumer: 'inbound', capturedBy: 'advisory', lost: false });
    expect(JSON.parse(new TextDecoder().decode(letter.data))).toEqual({ event_id: 'Ev1' });
    await eventually(
      'the work queue to be empty',
      async () => (await bus.jsm.streams.info(bus.names.streams.inbox)).state.messages === 0,
    );
  });

  it('records a loss when a work-queue message is terminated without a copy (the 2.9 server drops it)', async () => {
    const { bus } = t;
    const published = await bus.publish(bus.names.inbox('acme', 'sms'), { body: 'STOP' });
    await bus.ensureConsumer(bus.names.streams.inbox, { durable_name: 'careless' });
    const consumer = await bus.js.consumers.get(bus.names.streams.inbox, 'careless');
    const msg = await consumer.next({ expires: 5_000 });
    msg?.term();

    const letter = await oneDeadLetter(bus.names.streams.inbox);
    expect(letter).toMatchObject({
      lost: true,
      subject: undefined,
      streamSeq: published.seq,
      consumer: 'careless',
      capturedBy: 'advisory',
    });
    expect(letter.data).toHaveLength(0);
    await expect(bus.redriveDeadLetter(letter.seq)).rejects.toThrow(/lost/);
  });

  it('keeps one dead letter when both the consumer and the advisory collector copy the same message', async () => {
    const { bus } = t;
    await bus.consume({
      stream: bus.names.streams.events,
      durable: 'dispatcher',
      maxDeliver: 3,
      ackWaitMs: 30_000,
      handler: async () => outcome.dead('webhook URL refused by policy'),
    });
    await bus.publish(bus.names.event('acme', 'user', 'u1', 'UserCreated'), { id: 'u1' });

    await oneDeadLetter(bus.names.streams.events);
    // The terminated advisory has been handled once the collector's work queue is empty again.
    await eventually('the advisory to be handled', async () => {
      const info = await bus.jsm.streams.info(bus.names.streams.advisories);
      return info.state.last_seq >= 1 && info.state.messages === 0;
    });
    const letters = await bus.listDeadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ capturedBy: 'consumer', reason: 'webhook URL refused by policy' });
  });

  it('lists by stream and consumer, pages from a sequence, and discards', async () => {
    const { bus } = t;
    for (const [durable, n] of [
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ] as const) {
      await bus.consume({
        stream: bus.names.streams.events,
        durable: `${durable}${n}`,
        filterSubject: bus.names.event('acme', 'user', `u${n}`, 'UserCreated'),
        maxDeliver: 1,
        ackWaitMs: 30_000,
        handler: async () => outcome.dead(`no ${n}`),
      });
      await bus.publish(bus.names.event('acme', 'user', `u${n}`, 'UserCreated'), { n });
    }
    const all = await eventually('three dead letters', async () => {
      const letters = await bus.listDeadLetters();
      return letters.length === 3 && letters;
    });
    expect(all.map((l) => l.seq)).toEqual([...all.map((l) => l.seq)].sort((x, y) => x - y));
    expect(await bus.listDeadLetters({ stream: bus.names.streams.events, consumer: 'b2' })).toHaveLength(1);
    expect(await bus.listDeadLetters({ stream: bus.names.streams.inbox })).toEqual([]);
    const page = await bus.listDeadLetters({ limit: 2 });
    expect(page.map((l) => l.seq)).toEqual(all.slice(0, 2).map((l) => l.seq));
    const rest = await bus.listDeadLetters({ fromSeq: page[1]!.seq + 1 });
    expect(rest.map((l) => l.seq)).toEqual([all[2]!.seq]);

    await bus.discardDeadLetter(all[0]!.seq);
    expect((await bus.listDeadLetters()).map((l) => l.seq)).toEqual(all.slice(1).map((l) => l.seq));
    await expect(bus.discardDeadLetter(all[0]!.seq)).rejects.toThrow(/no dead letter/);
  });
});
