import { describe, expect, it } from 'vitest';
import { busNames } from './naming.js';
import { serverFeatures, UnsupportedServerFeatureError } from './server-version.js';
import {
  advisoriesStream,
  differingKeys,
  dlqStream,
  eventsStream,
  guardConsumerSpec,
  guardStreamSpec,
  inboxStream,
  TopologyConflictError,
} from './topology.js';

describe('stream specs', () => {
  const names = busNames('ns');

  it('gives EVENTS limits retention and INBOX work-queue retention with a one-hour duplicate window', () => {
    expect(eventsStream(names)).toMatchObject({
      name: 'NS_EVENTS',
      subjects: ['ns.evt.>'],
      retention: 'limits',
    });
    expect(inboxStream(names)).toMatchObject({
      name: 'NS_INBOX',
      subjects: ['ns.inbox.>'],
      retention: 'workqueue',
      duplicate_window: 3_600_000_000_000,
    });
    expect(dlqStream(names)).toMatchObject({ name: 'NS_DLQ', subjects: ['ns.dlq.>'], retention: 'limits' });
  });

  it('watches the advisories of EVENTS and INBOX by stream name', () => {
    expect(advisoriesStream(names).subjects).toEqual([
      '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.NS_EVENTS.*',
      '$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.NS_EVENTS.*',
      '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.NS_INBOX.*',
      '$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.NS_INBOX.*',
    ]);
  });
});

describe('differingKeys', () => {
  it('ignores keys the spec leaves out and subject order', () => {
    expect(
      differingKeys({ subjects: ['b', 'a'], max_age: 5 }, { subjects: ['a', 'b'], max_age: 5, other: 1 }),
    ).toEqual([]);
  });

  it('reports changed values, arrays and nested objects', () => {
    expect(
      differingKeys(
        { subjects: ['a', 'c'], backoff: [1, 2], placement: { cluster: 'x' }, max_age: 5 },
        { subjects: ['a', 'b'], backoff: [2, 1], placement: { cluster: 'y' }, max_age: 5 },
      ),
    ).toEqual(['subjects', 'backoff', 'placement']);
  });
});

describe('version guards', () => {
  const old = serverFeatures('2.9.10');

  it('refuses 2.10+ stream settings on 2.9', () => {
    expect(() =>
      guardStreamSpec({ name: 'S', subjects: ['s.>'], subject_transform: { src: 's.>', dest: 't.>' } }, old),
    ).toThrow(UnsupportedServerFeatureError);
    expect(() => guardStreamSpec({ name: 'S', subjects: ['s.>'], allow_msg_ttl: true }, old)).toThrow(
      /perMessageTtl/,
    );
    expect(() => guardStreamSpec({ name: 'S', subjects: ['s.>'], metadata: { a: 'b' } }, old)).toThrow(
      /metadata/,
    );
    expect(() => guardStreamSpec({ name: 'S', subjects: ['s.>'] }, old)).not.toThrow();
  });

  it('refuses filter_subjects on 2.9 (it would deliver the whole stream) and push consumers anywhere', () => {
    expect(() => guardConsumerSpec('S', { durable_name: 'd', filter_subjects: ['a'] }, old)).toThrow(
      /multipleFilterSubjects/,
    );
    expect(() =>
      guardConsumerSpec('S', { durable_name: 'd', filter_subjects: ['a', 'b'] }, serverFeatures('2.10.0')),
    ).not.toThrow();
    expect(() => guardConsumerSpec('S', { durable_name: 'd', deliver_subject: 'x' }, old)).toThrow(
      TopologyConflictError,
    );
  });
});
