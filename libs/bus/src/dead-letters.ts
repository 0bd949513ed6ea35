import { AckPolicy, DeliverPolicy, type JsMsg, type PubAck, type StoredMsg } from '@nats-io/jetstream';
import { type MsgHdrs, nanos, headers as newHeaders } from '@nats-io/nats-core';
import type { BusContext } from './bus-context.js';

/** Headers a dead letter carries next to the original message's own. */
export const DEAD_LETTER_HEADERS = {
  subject: 'Switchboard-Dlq-Subject',
  stream: 'Switchboard-Dlq-Stream',
  streamSeq: 'Switchboard-Dlq-Stream-Seq',
  consumer: 'Switchboard-Dlq-Consumer',
  deliveries: 'Switchboard-Dlq-Deliveries',
  reason: 'Switchboard-Dlq-Reason',
  deadAt: 'Switchboard-Dlq-Time',
  /** `consumer` when the consumer that gave up wrote it, `advisory` when the collector did. */
  capturedBy: 'Switchboard-Dlq-Captured-By',
  /** The original's `Nats-Msg-Id` (the dead letter's own id is the dead-letter key). */
  originalMsgId: 'Switchboard-Dlq-Msg-Id',
  /** Set when the server no longer held the original: the record has no subject nor payload. */
  lost: 'Switchboard-Dlq-Lost',
} as const;

/** Headers on a re-driven message. */
export const REDRIVE_HEADERS = {
  from: 'Switchboard-Redriven-From',
  originalMsgId: 'Switchboard-Original-Msg-Id',
} as const;

export interface DeadLetterOrigin {
  stream: string;
  streamSeq: number;
  consumer: string;
  deliveries: number;
  reason: string;
  capturedBy: 'consumer' | 'advisory';
}

export interface OriginalMessage {
  subject: string;
  headers: MsgHdrs | undefined;
  data: Uint8Array;
}

export interface DeadLetter {
  /** Sequence in the DLQ stream: what `get`, `redrive` and `discard` take. */
  seq: number;
  /** Where the original was published; undefined when the record is `lost`. */
  subject: string | undefined;
  /** The original's headers, minus the JetStream control headers (`Nats-*`). */
  headers: MsgHdrs;
  data: Uint8Array;
  originalMsgId: string | undefined;
  stream: string;
  streamSeq: number;
  consumer: string;
  deliveries: number;
  reason: string;
  deadAt: Date;
  capturedBy: 'consumer' | 'advisory';
  /** The server had already dropped the original (a work-queue stream drops a terminated message). */
  lost: boolean;
}

export class DeadLetterNotFoundError extends Error {
  constructor(readonly seq: number) {
    super(`no dead letter at sequence ${seq}`);
    this.name = 'DeadLetterNotFoundError';
  }
}

/** One id per source message and consumer, so every copy of the same dead letter collapses into one. */
export const deadLetterKey = (stream: string, streamSeq: number, consumer: string): string =>
  `${stream}:${streamSeq}:${consumer}`;

// JetStream interprets these on publish (dedupe, expectations, rollups): a copy must not carry them.
const isControlHeader = (key: string): boolean => key.toLowerCase().startsWith('nats-');
const isDeadLetterHeader = (key: string): boolean => key.toLowerCase().startsWith('switchboard-dlq-');

/** Header values are one line; an error message may not be. */
const headerValue = (text: string): string => text.replace(/[\r\n]+/g, ' ').slice(0, 2000);

function copyHeaders(from: MsgHdrs | undefined, into: MsgHdrs, skip: (key: string) => boolean): void {
  if (!from) return;
  for (const [key, values] of from) {
    if (skip(key)) continue;
    for (const value of values) into.append(key, value);
  }
}

/**
 * Stores a copy of the original in the DLQ under `dlq.<stream>.<consumer>`, with its subject, headers
 * and payload and headers naming where it died and why. `original` undefined records a loss.
 */
export async function writeDeadLetter(
  bus: BusContext,
  original: OriginalMessage | undefined,
  origin: DeadLetterOrigin,
): Promise<PubAck> {
  const h = newHeaders();
  copyHeaders(original?.headers, h, (key) => isControlHeader(key) || isDeadLetterHeader(key));
  const originalMsgId = original?.headers?.has('Nats-Msg-Id') ? original.headers.get('Nats-Msg-Id') : '';
  if (originalMsgId) h.set(DEAD_LETTER_HEADERS.originalMsgId, originalMsgId);
  if (original) h.set(DEAD_LETTER_HEADERS.subject, original.subject);
  else h.set(DEAD_LETTER_HEADERS.lost, 'true');
  h.set(DEAD_LETTER_HEADERS.stream, origin.stream);
  h.set(DEAD_LETTER_HEADERS.streamSeq, String(origin.streamSeq));
  h.set(DEAD_LETTER_HEADERS.consumer, origin.consumer);
  h.set(DEAD_LETTER_HEADERS.deliveries, String(origin.deliveries));
  h.set(DEAD_LETTER_HEADERS.reason, headerValue(origin.reason));
  h.set(DEAD_LETTER_HEADERS.deadAt, new Date().toISOString());
  h.set(DEAD_LETTER_HEADERS.capturedBy, origin.capturedBy);
  // Published as is, not through the traced publish: the original's traceparent must survive.
  return bus.js.publish(
    bus.names.deadLetter(origin.stream, origin.consumer),
    original?.data ?? new Uint8Array(),
    {
      headers: h,
      msgID: deadLetterKey(origin.stream, origin.streamSeq, origin.consumer),
    },
  );
}

/** The consumer's own copy of a message it gives up on (before `term`, which may drop the original). */
export function writeDeadLetterFromMessage(
  bus: BusContext,
  msg: JsMsg,
  where: { stream: string; consumer: string },
  reason: string,
): Promise<PubAck> {
  return writeDeadLetter(
    bus,
    { subject: msg.subject, headers: msg.headers, data: msg.data },
    {
      stream: where.stream,
      streamSeq: msg.info.streamSequence,
      consumer: where.consumer,
      deliveries: msg.info.deliveryCount,
      reason,
      capturedBy: 'consumer',
    },
  );
}

function toDeadLetter(seq: number, stored: MsgHdrs | undefined, data: Uint8Array, time: Date): DeadLetter {
  const h = stored ?? newHeaders();
  const read = (key: string): string => (h.has(key) ? h.get(key) : '');
  const original = newHeaders();
  copyHeaders(stored, original, (key) => isControlHeader(key) || isDeadLetterHeader(key));
  const deadAt = read(DEAD_LETTER_HEADERS.deadAt);
  return {
    seq,
    subject: read(DEAD_LETTER_HEADERS.subject) || undefined,
    headers: original,
    data,
    originalMsgId: read(DEAD_LETTER_HEADERS.originalMsgId) || undefined,
    stream: read(DEAD_LETTER_HEADERS.stream),
    streamSeq: Number(read(DEAD_LETTER_HEADERS.streamSeq)),
    consumer: read(DEAD_LETTER_HEADERS.consumer),
    deliveries: Number(read(DEAD_LETTER_HEADERS.deliveries)),
    reason: read(DEAD_LETTER_HEADERS.reason),
    deadAt: deadAt ? new Date(deadAt) : time,
    capturedBy: read(DEAD_LETTER_HEADERS.capturedBy) === 'advisory' ? 'advisory' : 'consumer',
    lost: read(DEAD_LETTER_HEADERS.lost) === 'true',
  };
}

const fromStored = (m: StoredMsg): DeadLetter => toDeadLetter(m.seq, m.header, m.data, m.time);

export async function getDeadLetter(bus: BusContext, seq: number): Promise<DeadLetter | undefined> {
  const stored = await bus.jsm.streams.getMessage(bus.names.streams.dlq, { seq });
  return stored ? fromStored(stored) : undefined;
}

export interface DeadLetterQuery {
  /** Only dead letters of this source stream (and, with `consumer`, of this consumer). */
  stream?: string;
  consumer?: string;
  /** First DLQ sequence to return (for paging: the last seen seq + 1). */
  fromSeq?: number;
  /** At most this many; default 100. */
  limit?: number;
}

/** Dead letters in DLQ order, through a short-lived filtered consumer that reports how many match. */
export async function listDeadLetters(bus: BusContext, query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  const limit = Math.max(1, query.limit ?? 100);
  const dlq = bus.names.streams.dlq;
  const info = await bus.jsm.consumers.add(dlq, {
    ack_policy: AckPolicy.None,
    filter_subject: bus.names.deadLetters(query.stream, query.consumer),
    ...(query.fromSeq
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: query.fromSeq }
      : { deliver_policy: DeliverPolicy.All }),
    mem_storage: true,
    inactive_threshold: nanos(60_000),
  });
  try {
    const wanted = Math.min(limit, info.num_pending);
    if (wanted === 0) return [];
    const consumer = await bus.js.consumers.get(dlq, info.name);
    const batch = await consumer.fetch({ max_messages: wanted, expires: 5_000 });
    const letters: DeadLetter[] = [];
    for await (const m of batch) {
      letters.push(toDeadLetter(m.seq, m.headers, m.data, m.time));
      if (letters.length >= wanted) break;
    }
    return letters;
  } finally {
    await bus.jsm.consumers.delete(dlq, info.name).catch(() => undefined);
  }
}

/**
 * Publishes the original payload and headers again on the original subject, then removes the dead
 * letter. The new message gets its own id (`redrive:<dlq>:<seq>`, so a repeated re-drive is dropped as a
 * duplicate) because reusing the original id inside the stream's duplicate window would drop it too;
 * the original id travels in `Switchboard-Original-Msg-Id`.
 */
export async function redriveDeadLetter(
  bus: BusContext,
  seq: number,
): Promise<{ ack: PubAck; deadLetter: DeadLetter }> {
  const letter = await getDeadLetter(bus, seq);
  if (!letter) throw new DeadLetterNotFoundError(seq);
  if (letter.lost || !letter.subject) {
    throw new Error(`dead letter ${seq} is a record of a lost message: there is nothing to re-drive`);
  }
  const h = newHeaders();
  copyHeaders(letter.headers, h, () => false);
  h.set(REDRIVE_HEADERS.from, `${bus.names.streams.dlq}:${seq}`);
  if (letter.originalMsgId) h.set(REDRIVE_HEADERS.originalMsgId, letter.originalMsgId);
  const ack = await bus.js.publish(letter.subject, letter.data, {
    headers: h,
    msgID: `redrive:${bus.names.streams.dlq}:${seq}`,
  });
  await bus.jsm.streams.deleteMessage(bus.names.streams.dlq, seq);
  return { ack, deadLetter: letter };
}

/** Removes a dead letter for good (an operator decided it is not to be re-driven). */
export async function discardDeadLetter(bus: BusContext, seq: number): Promise<void> {
  const removed = await bus.jsm.streams.deleteMessage(bus.names.streams.dlq, seq).catch((err: unknown) => {
    if (err instanceof Error && /no message found/i.test(err.message)) return false;
    throw err;
  });
  if (!removed) throw new DeadLetterNotFoundError(seq);
}
