import { type JsMsg, RetentionPolicy, type StoredMsg } from '@nats-io/jetstream';
import type { BusContext } from './bus-context.js';
import { type ConsumeOutcome, type ConsumerHandle, consume } from './consume.js';
import { writeDeadLetter } from './dead-letters.js';
import { decodeJson } from './envelope.js';

const MAX_DELIVER_ADVISORY = 'io.nats.jetstream.advisory.v1.max_deliver';
const TERMINATED_ADVISORY = 'io.nats.jetstream.advisory.v1.terminated';

export interface DeadLetterAdvisory {
  kind: 'max_deliver' | 'terminated';
  stream: string;
  consumer: string;
  streamSeq: number;
  deliveries: number;
  /** Only servers from 2.11 carry the reason given to `term`. */
  reason?: string;
}

export function parseDeadLetterAdvisory(data: Uint8Array): DeadLetterAdvisory {
  const value = decodeJson(data) as Record<string, unknown>;
  const kind =
    value.type === MAX_DELIVER_ADVISORY
      ? 'max_deliver'
      : value.type === TERMINATED_ADVISORY
        ? 'terminated'
        : null;
  if (
    !kind ||
    typeof value.stream !== 'string' ||
    typeof value.consumer !== 'string' ||
    typeof value.stream_seq !== 'number'
  ) {
    throw new Error(`not a max-deliveries or terminated advisory: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return {
    kind,
    stream: value.stream,
    consumer: value.consumer,
    streamSeq: value.stream_seq,
    deliveries: typeof value.deliveries === 'number' ? value.deliveries : 0,
    ...(typeof value.reason === 'string' && value.reason ? { reason: value.reason } : {}),
  };
}

export interface CollectorOptions {
  /** Durable consumer on the ADVISORIES stream; default `dead-letter-collector`. */
  durable?: string;
  onError?: (err: unknown, msg: JsMsg | undefined) => void;
}

/**
 * Turns each captured advisory into a dead letter: fetches the original by sequence and copies it into
 * the DLQ under the same key the consumer's own copy uses, so the two collapse into one. When the
 * original is gone (a work-queue stream drops a terminated message) a `lost` record is written, which
 * the consumer's earlier copy, if any, makes a dropped duplicate. A message that exhausted its
 * deliveries on a work-queue stream is removed from it once copied: nothing would ever take it.
 */
export function collectDeadLetters(bus: BusContext, options: CollectorOptions = {}): Promise<ConsumerHandle> {
  const retentionOf = new Map<string, Promise<string | undefined>>();
  const retention = (stream: string) => {
    let known = retentionOf.get(stream);
    if (!known) {
      known = bus.jsm.streams.info(stream).then(
        (i) => i.config.retention,
        () => undefined,
      );
      retentionOf.set(stream, known);
    }
    return known;
  };

  const handle = async (msg: JsMsg): Promise<ConsumeOutcome> => {
    let advisory: DeadLetterAdvisory;
    try {
      advisory = parseDeadLetterAdvisory(msg.data);
    } catch (err) {
      return { kind: 'dead', reason: err instanceof Error ? err.message : String(err) };
    }
    const original = await originalMessage(bus, advisory.stream, advisory.streamSeq);
    const reason =
      advisory.kind === 'max_deliver'
        ? `max_deliver reached after ${advisory.deliveries} deliveries without an ack (server advisory)`
        : `terminated by consumer${advisory.reason ? `: ${advisory.reason}` : ''} (server advisory)`;
    await writeDeadLetter(
      bus,
      original ? { subject: original.subject, headers: original.header, data: original.data } : undefined,
      {
        stream: advisory.stream,
        streamSeq: advisory.streamSeq,
        consumer: advisory.consumer,
        deliveries: advisory.deliveries,
        reason,
        capturedBy: 'advisory',
      },
    );
    if (
      original &&
      advisory.kind === 'max_deliver' &&
      (await retention(advisory.stream)) === RetentionPolicy.Workqueue
    ) {
      await bus.jsm.streams.deleteMessage(advisory.stream, advisory.streamSeq).catch(() => false);
    }
    return { kind: 'ack' };
  };

  return consume(bus, {
    stream: bus.names.streams.advisories,
    durable: options.durable ?? 'dead-letter-collector',
    maxDeliver: -1,
    ackWaitMs: 30_000,
    retry: { initialMs: 1_000, maxMs: 60_000 },
    concurrency: 4,
    maxAckPending: 64,
    handler: handle,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

async function originalMessage(bus: BusContext, stream: string, seq: number): Promise<StoredMsg | null> {
  try {
    return await bus.jsm.streams.getMessage(stream, { seq });
  } catch (err) {
    if (err instanceof Error && err.name === 'StreamNotFoundError') return null;
    throw err;
  }
}
