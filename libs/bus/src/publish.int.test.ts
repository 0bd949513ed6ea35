import { headers } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExpectedLastMsgIdMismatchError } from './publish.js';
import { UnsupportedServerFeatureError } from './server-version.js';
import { openTestBus, type TestBus } from './test-support.js';
import { eventsStream, inboxStream } from './topology.js';

describe('JetStream publish', () => {
  let t: TestBus;
  beforeEach(async () => {
    t = await openTestBus('publish-test');
    await t.bus.ensureStream(eventsStream(t.bus.names));
    await t.bus.ensureStream(inboxStream(t.bus.names));
  });
  afterEach(async () => {
    await t.close();
  });

  it('drops a second publish with the same msgId and says so in the PubAck', async () => {
    const { bus } = t;
    const subject = bus.names.inbox('acme', 'telegram');
    const first = await bus.publish(subject, { update_id: 7 }, { msgId: 'telegram:7' });
    const retried = await bus.publish(subject, { update_id: 7 }, { msgId: 'telegram:7' });
    expect(first.duplicate).toBe(false);
    expect(retried).toMatchObject({ duplicate: true, seq: first.seq });
    expect((await bus.jsm.streams.info(bus.names.streams.inbox)).state.messages).toBe(1);
  });

  it('refuses a publish whose expected last msg id is not the stream’s', async () => {
    const { bus } = t;
    const subject = (n: number) => bus.names.event('acme', 'user', 'u1', `E${n}`);
    await bus.publish(subject(1), { n: 1 }, { msgId: 'e1' });
    const second = await bus.publish(subject(2), { n: 2 }, { msgId: 'e2', expectedLastMsgId: 'e1' });
    expect(second.seq).toBe(2);
    const stale = bus.publish(subject(3), { n: 3 }, { msgId: 'e3', expectedLastMsgId: 'e1' });
    await expect(stale).rejects.toThrow(ExpectedLastMsgIdMismatchError);
    expect((await bus.jsm.streams.info(bus.names.streams.events)).state.messages).toBe(2);
  });

  it('stores objects as JSON and bytes as they are, with the given headers', async () => {
    const { bus } = t;
    const subject = bus.names.event('acme', 'user', 'u1', 'UserCreated');
    const h = headers();
    h.set('Switchboard-Event-Type', 'UserCreated');
    const a = await bus.publish(subject, { name: 'Ada' }, { headers: h });
    const b = await bus.publish(subject, new Uint8Array([1, 2, 3]));
    const storedA = await bus.jsm.streams.getMessage(bus.names.streams.events, { seq: a.seq });
    const storedB = await bus.jsm.streams.getMessage(bus.names.streams.events, { seq: b.seq });
    expect(storedA?.json()).toEqual({ name: 'Ada' });
    expect(storedA?.header.get('Switchboard-Event-Type')).toBe('UserCreated');
    expect([...(storedB?.data ?? [])]).toEqual([1, 2, 3]);
  });

  it('refuses a per-message TTL on this 2.9 server', async () => {
    const { bus } = t;
    await expect(bus.publish(bus.names.inbox('acme', 'sms'), {}, { ttlMs: 1_000 })).rejects.toThrow(
      UnsupportedServerFeatureError,
    );
    expect((await bus.jsm.streams.info(bus.names.streams.inbox)).state.messages).toBe(0);
  });
});
