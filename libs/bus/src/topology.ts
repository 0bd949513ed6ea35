import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BusContext } from './bus-context.js';
import type { BusNames } from './naming.js';
import type { ServerFeatures } from './server-version.js';

/** A stream as code: its name and subjects, plus whatever else it sets; the rest stays server default. */
export type StreamSpec = Partial<StreamConfig> & Pick<StreamConfig, 'name' | 'subjects'>;

/** A durable pull consumer as code. */
export type ConsumerSpec = Partial<ConsumerConfig> & { durable_name: string };

export type EnsureAction = 'created' | 'updated' | 'unchanged';

export class TopologyConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TopologyConflictError';
  }
}

const API_STREAM_NAME_IN_USE = 10058;

/** Refuses, before any request, a stream setting this server would silently ignore. */
export function guardStreamSpec(spec: StreamSpec, features: ServerFeatures): void {
  const usage = `stream ${spec.name}`;
  if (spec.subject_transform) features.require('subjectTransforms', `${usage}: subject_transform`);
  for (const source of [...(spec.sources ?? []), ...(spec.mirror ? [spec.mirror] : [])]) {
    const s = source as { subject_transforms?: unknown[] };
    if (s.subject_transforms?.length) {
      features.require('subjectTransforms', `${usage}: subject_transforms of source ${source.name}`);
    }
  }
  if (spec.metadata && Object.keys(spec.metadata).length > 0)
    features.require('metadata', `${usage}: metadata`);
  if (spec.compression && spec.compression !== 'none')
    features.require('compression', `${usage}: compression`);
  if (spec.allow_msg_ttl) features.require('perMessageTtl', `${usage}: allow_msg_ttl`);
}

/** Refuses push consumers and consumer settings this server would silently ignore. */
export function guardConsumerSpec(stream: string, spec: ConsumerSpec, features: ServerFeatures): void {
  const usage = `consumer ${stream}/${spec.durable_name}`;
  if (spec.filter_subjects !== undefined) {
    features.require('multipleFilterSubjects', `${usage}: filter_subjects (use one filter_subject)`);
  }
  if (spec.metadata && Object.keys(spec.metadata).length > 0)
    features.require('metadata', `${usage}: metadata`);
  if (spec.deliver_subject) {
    throw new TopologyConflictError(
      `${usage}: only durable pull consumers are managed here (no deliver_subject)`,
    );
  }
}

/**
 * Creates the stream, or updates it when a setting the spec names differs from the server's. Never
 * deletes or recreates a stream: a change the server cannot apply in place (retention, storage) is an
 * error for an operator to resolve.
 */
export async function ensureStream(
  bus: BusContext,
  spec: StreamSpec,
): Promise<{ action: EnsureAction; info: StreamInfo }> {
  guardStreamSpec(spec, bus.features);
  for (let attempt = 0; ; attempt++) {
    const existing = await streamInfo(bus, spec.name);
    if (!existing) {
      try {
        return { action: 'created', info: await bus.jsm.streams.add(spec) };
      } catch (err) {
        // Another process created it between our look and our add: compare against theirs.
        if (attempt === 0 && apiCode(err) === API_STREAM_NAME_IN_USE) continue;
        throw err;
      }
    }
    const changed = differingKeys(spec, existing.config);
    if (changed.length === 0) return { action: 'unchanged', info: existing };
    try {
      const info = await bus.jsm.streams.update(spec.name, { ...existing.config, ...spec });
      return { action: 'updated', info };
    } catch (err) {
      throw new TopologyConflictError(
        `stream ${spec.name} differs in ${changed.join(', ')} and the server refused the update ` +
          `(${errorMessage(err)}); it is never deleted automatically, migrate it by hand`,
        { cause: err },
      );
    }
  }
}

/** Creates the durable pull consumer, or updates the settings that differ. Never deletes it. */
export async function ensureConsumer(
  bus: BusContext,
  stream: string,
  spec: ConsumerSpec,
): Promise<{ action: EnsureAction; info: ConsumerInfo }> {
  guardConsumerSpec(stream, spec, bus.features);
  const wanted: ConsumerSpec = { ack_policy: AckPolicy.Explicit, ...spec };
  const existing = await consumerInfo(bus, stream, spec.durable_name);
  if (!existing) return { action: 'created', info: await bus.jsm.consumers.add(stream, wanted) };
  const changed = differingKeys(wanted, existing.config);
  if (changed.length === 0) return { action: 'unchanged', info: existing };
  const update = Object.fromEntries(changed.map((k) => [k, wanted[k as keyof ConsumerSpec]]));
  try {
    return { action: 'updated', info: await bus.jsm.consumers.update(stream, spec.durable_name, update) };
  } catch (err) {
    throw new TopologyConflictError(
      `consumer ${stream}/${spec.durable_name} differs in ${changed.join(', ')} and the server refused ` +
        `the update (${errorMessage(err)}); it is never deleted automatically, recreate it by hand`,
      { cause: err },
    );
  }
}

async function streamInfo(bus: BusContext, name: string): Promise<StreamInfo | undefined> {
  try {
    return await bus.jsm.streams.info(name);
  } catch (err) {
    if (err instanceof Error && err.name === 'StreamNotFoundError') return undefined;
    throw err;
  }
}

async function consumerInfo(
  bus: BusContext,
  stream: string,
  name: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await bus.jsm.consumers.info(stream, name);
  } catch (err) {
    if (err instanceof Error && err.name === 'ConsumerNotFoundError') return undefined;
    throw err;
  }
}

/** Keys the spec sets to a value the server does not hold. Subjects compare as a set. */
export function differingKeys(spec: object, actual: object): string[] {
  const have = actual as Record<string, unknown>;
  return Object.entries(spec)
    .filter(([key, value]) => value !== undefined && !sameSetting(key, value, have[key]))
    .map(([key]) => key);
}

function sameSetting(key: string, wanted: unknown, actual: unknown): boolean {
  if (key === 'subjects' && Array.isArray(wanted) && Array.isArray(actual)) {
    return wanted.length === actual.length && wanted.every((s) => actual.includes(s));
  }
  return deepEqual(wanted, actual);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const apiCode = (err: unknown): number | undefined =>
  err instanceof JetStreamApiError ? err.code : undefined;
const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * `EVENTS`: the distribution log the relay feeds (limits retention, so every consumer reads every
 * event). The event store is the source of truth, so a week of history is kept for consumers to catch
 * up after an outage; older events are replayed from the store.
 */
export function eventsStream(names: BusNames, overrides: Partial<StreamConfig> = {}): StreamSpec {
  return {
    name: names.streams.events,
    subjects: [names.events()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(2 * MINUTE),
    max_age: nanos(7 * DAY),
    ...overrides,
  };
}

/**
 * `INBOX`: normalized inbound channel traffic, a work queue (one consumer takes each message). The
 * one-hour duplicate window drops a provider's retried webhook published under the same delivery id.
 */
export function inboxStream(names: BusNames, overrides: Partial<StreamConfig> = {}): StreamSpec {
  return {
    name: names.streams.inbox,
    subjects: [names.inboxes()],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(HOUR),
    ...overrides,
  };
}

/**
 * `DLQ`: dead letters under `dlq.<stream>.<consumer>`, kept 90 days. The day-long duplicate window lets
 * the consumer's own copy and the advisory collector's copy of the same message collapse into one.
 */
export function dlqStream(names: BusNames, overrides: Partial<StreamConfig> = {}): StreamSpec {
  return {
    name: names.streams.dlq,
    subjects: [names.deadLetters()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(DAY),
    max_age: nanos(90 * DAY),
    ...overrides,
  };
}

/** The server's advisory subjects announcing that a consumer of `stream` gave up on a message. */
export function deadLetterAdvisorySubjects(stream: string): string[] {
  return [
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.*`,
    `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${stream}.*`,
  ];
}

/**
 * `ADVISORIES`: a durable copy of the max-deliveries and terminated advisories of the watched streams
 * (by default EVENTS and INBOX), so that a dead letter is captured even when the consumer that gave up
 * crashed. A work queue: the dead-letter collector removes each advisory once it is handled.
 */
export function advisoriesStream(
  names: BusNames,
  watchedStreams: readonly string[] = [names.streams.events, names.streams.inbox],
  overrides: Partial<StreamConfig> = {},
): StreamSpec {
  return {
    name: names.streams.advisories,
    subjects: watchedStreams.flatMap(deadLetterAdvisorySubjects),
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_age: nanos(30 * DAY),
    ...overrides,
  };
}
