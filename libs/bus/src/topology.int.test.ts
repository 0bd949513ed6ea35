import { nanos } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsupportedServerFeatureError } from './server-version.js';
import { openTestBus, type TestBus } from './test-support.js';
import { eventsStream, inboxStream, TopologyConflictError } from './topology.js';

describe('JetStream set-up as code', () => {
  let t: TestBus;
  beforeEach(async () => {
    t = await openTestBus('topology-test');
  });
  afterEach(async () => {
    await t.close();
  });

  it('creates a stream once, leaves it alone when unchanged, updates it in place keeping its data', async () => {
    const { bus } = t;
    const spec = eventsStream(bus.names);
    expect((await bus.ensureStream(spec)).action).toBe('created');
    expect((await bus.ensureStream(spec)).action).toBe('unchanged');
    await bus.publish(bus.names.event('acme', 'user', 'u1', 'UserCreated'), { n: 1 });

    const updated = await bus.ensureStream({ ...spec, max_age: nanos(3_600_000) });
    expect(updated.action).toBe('updated');
    expect(updated.info.config.max_age).toBe(nanos(3_600_000));
    expect(updated.info.state.messages).toBe(1);
    expect((await bus.ensureStream({ ...spec, max_age: nanos(3_600_000) })).action).toBe('unchanged');
  });

  it('refuses a change the server cannot make in place, and leaves the stream as it was', async () => {
    const { bus } = t;
    const spec = eventsStream(bus.names);
    await bus.ensureStream(spec);
    await bus.publish(bus.names.event('acme', 'user', 'u1', 'UserCreated'), { n: 1 });
    await expect(bus.ensureStream({ ...spec, retention: 'workqueue' })).rejects.toThrow(
      TopologyConflictError,
    );
    const info = await bus.jsm.streams.info(spec.name);
    expect(info.config.retention).toBe('limits');
    expect(info.state.messages).toBe(1);
  });

  it('ensures the four standard streams idempotently', async () => {
    const { bus } = t;
    expect(await bus.ensureStandardStreams()).toEqual({
      events: 'created',
      inbox: 'created',
      dlq: 'created',
      advisories: 'created',
    });
    expect(await bus.ensureStandardStreams()).toEqual({
      events: 'unchanged',
      inbox: 'unchanged',
      dlq: 'unchanged',
      advisories: 'unchanged',
    });
    const inbox = await bus.jsm.streams.info(bus.names.streams.inbox);
    expect(inbox.config).toMatchObject({ retention: 'workqueue', duplicate_window: nanos(3_600_000) });
  });

  it('creates a durable pull consumer once and updates what differs', async () => {
    const { bus } = t;
    const stream = inboxStream(bus.names);
    await bus.ensureStream(stream);
    const spec = {
      durable_name: 'command-handler',
      filter_subject: bus.names.inboxes(),
      max_deliver: 5,
      ack_wait: nanos(30_000),
    };
    const created = await bus.ensureConsumer(stream.name, spec);
    expect(created.action).toBe('created');
    expect(created.info.config).toMatchObject({ ack_policy: 'explicit', max_deliver: 5 });
    expect((await bus.ensureConsumer(stream.name, spec)).action).toBe('unchanged');
    const updated = await bus.ensureConsumer(stream.name, { ...spec, max_deliver: 9 });
    expect(updated.action).toBe('updated');
    expect(updated.info.config.max_deliver).toBe(9);
    await expect(bus.ensureConsumer(stream.name, { ...spec, deliver_policy: 'new' })).rejects.toThrow(
      TopologyConflictError,
    );
  });

  it('refuses a 2.10-only feature on this 2.9 server instead of letting it be ignored', async () => {
    const { bus } = t;
    expect(bus.serverVersion).toMatch(/^2\.9\./);
    expect(bus.supports('multipleFilterSubjects')).toBe(false);
    const stream = eventsStream(bus.names);
    await bus.ensureStream(stream);

    await expect(
      bus.ensureConsumer(stream.name, {
        durable_name: 'two-filters',
        filter_subjects: [bus.names.events('acme'), bus.names.events('globex')],
      }),
    ).rejects.toThrow(UnsupportedServerFeatureError);
    // Nothing was created: 2.9 would have made a consumer of the whole stream.
    await expect(bus.jsm.consumers.info(stream.name, 'two-filters')).rejects.toThrow(/consumer not found/);

    const transformed = {
      ...inboxStream(bus.names),
      subject_transform: { src: bus.names.inboxes(), dest: 'x.>' },
    };
    await expect(bus.ensureStream(transformed)).rejects.toThrow(/subjectTransforms/);
    await expect(bus.jsm.streams.info(transformed.name)).rejects.toThrow(/stream not found/);
  });
});
