import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { observeGauge } from '@switchboard/telemetry';
import { type RetryPolicy, retryDelayMs } from './backoff.js';
import type { BusContext, Stoppable } from './bus-context.js';
import { writeDeadLetterFromMessage } from './dead-letters.js';
import { InFlight } from './in-flight.js';
import { type ConsumerSpec, ensureConsumer } from './topology.js';
import { SpanKind, withSpan } from './tracing.js';

export type ConsumeOutcome =
  | { kind: 'ack' }
  /** Redeliver later: after `delayMs`, or after the backoff for this delivery count. */
  | { kind: 'retry'; delayMs?: number; reason?: string }
  /** Never redeliver: copy to the DLQ and terminate. */
  | { kind: 'dead'; reason: string };

export const outcome = {
  ack: { kind: 'ack' } as ConsumeOutcome,
  retry: (delayMs?: number, reason?: string): ConsumeOutcome => ({ kind: 'retry', delayMs, reason }),
  dead: (reason: string): ConsumeOutcome => ({ kind: 'dead', reason }),
} as const;

export interface ConsumeOptions {
  stream: string;
  /** Durable consumer name, shared by every replica of the service. */
  durable: string;
  /** One subject (2.9 has no multiple filter subjects); the whole stream when omitted. */
  filterSubject?: string;
  /** Deliveries before the message is dead-lettered; -1 for never. */
  maxDeliver: number;
  /** How long a delivery may stay unacknowledged before the server redelivers it. */
  ackWaitMs: number;
  /** Explicit nak delays by failed delivery (the last repeats); otherwise exponential with jitter. */
  backoffMs?: number[];
  /** The exponential policy when `backoffMs` is not given. */
  retry?: Omit<RetryPolicy, 'backoffMs'>;
  /** Messages handled at once by this process; default 1 (strictly in order). */
  concurrency?: number;
  /**
   * Unacknowledged messages the server allows across all replicas; default `concurrency`, so that with
   * concurrency 1 a message waiting for its retry holds back the ones after it (order kept). Raise it
   * when several replicas share the durable consumer.
   */
  maxAckPending?: number;
  /** Where a new durable starts; default 'all'. */
  deliverPolicy?: 'all' | 'new';
  handler: (msg: JsMsg) => Promise<ConsumeOutcome>;
  /** Told about handler exceptions and settle failures (for logging); never needed for correctness. */
  onError?: (err: unknown, msg: JsMsg | undefined) => void;
}

export interface ConsumerHandle extends Stoppable {
  readonly stream: string;
  readonly durable: string;
  /** Resolves when consumption ended: undefined after `stop()`, the error if it died. */
  readonly done: Promise<Error | undefined>;
}

/** The consumer config `consume` keeps the durable at. */
export function consumerSpecFor(options: ConsumeOptions): ConsumerSpec {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  return {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: options.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: options.maxDeliver,
    max_ack_pending: options.maxAckPending ?? concurrency,
    ...(options.filterSubject ? { filter_subject: options.filterSubject } : {}),
  };
}

/**
 * Consumes a durable pull consumer with explicit acks. A handler exception or `retry` naks with a delay
 * growing with the delivery count; the last allowed delivery, or `dead`, copies the message into the
 * DLQ and terminates it (the copy comes first: a work-queue stream drops a terminated message).
 */
export async function consume(bus: BusContext, options: ConsumeOptions): Promise<ConsumerHandle> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  await ensureConsumer(bus, options.stream, consumerSpecFor(options));
  const consumer = await bus.js.consumers.get(options.stream, options.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency });
  const lag = observeGauge(
    'switchboard_consumer_lag_messages',
    'Messages of the stream not yet acknowledged by the durable consumer (pending + unacknowledged)',
    async (record) => {
      const info = await consumer.info();
      record(info.num_pending + info.num_ack_pending, { stream: options.stream, consumer: options.durable });
    },
  );
  const policy: RetryPolicy = options.backoffMs ? { backoffMs: options.backoffMs } : (options.retry ?? {});
  const where = { stream: options.stream, consumer: options.durable };
  const report = (err: unknown, msg: JsMsg | undefined) => {
    try {
      options.onError?.(err, msg);
    } catch {
      // A failing logger must not stop consumption.
    }
  };

  const bury = async (msg: JsMsg, reason: string): Promise<void> => {
    try {
      await writeDeadLetterFromMessage(bus, msg, where, reason);
    } catch (err) {
      // No copy, no term: redeliver, and past max_deliver the advisory collector gets another go.
      report(err, msg);
      msg.nak(retryDelayMs(msg.info.deliveryCount, policy));
      return;
    }
    if (bus.features.supports('termWithReason')) msg.term(reason);
    else msg.term();
  };

  /** Acts on what the handler made of a message: ack, nak with a delay, or bury. */
  const act = (
    msg: JsMsg,
    deliveries: number,
    result: ConsumeOutcome,
    failure: string | undefined,
  ): Promise<void> | undefined => {
    switch (result.kind) {
      case 'ack':
        msg.ack();
        return;
      case 'retry': {
        if (options.maxDeliver > 0 && deliveries >= options.maxDeliver) {
          const why = failure ?? result.reason ?? 'the handler asked for a retry';
          return bury(
            msg,
            `gave up after ${deliveries} deliveries (max_deliver ${options.maxDeliver}): ${why}`,
          );
        }
        msg.nak(result.delayMs ?? retryDelayMs(deliveries, policy));
        return;
      }
      case 'dead':
        return bury(msg, result.reason);
      default: {
        const impossible: never = result;
        throw new Error(`unknown consume outcome ${JSON.stringify(impossible)}`);
      }
    }
  };

  /**
   * Runs the handler and acts on its outcome; a handler that throws is a retry. Chained rather than an
   * async function: it runs for every message, and each promise less counts at thousands a second.
   */
  const settle = (msg: JsMsg): Promise<void> => {
    const deliveries = msg.info.deliveryCount;
    let handled: Promise<ConsumeOutcome>;
    try {
      handled = withSpan(
        `process ${msg.subject}`,
        SpanKind.CONSUMER,
        {
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': options.durable,
          'messaging.nats.delivery_count': deliveries,
        },
        msg.headers,
        () => options.handler(msg),
      );
    } catch (err) {
      handled = Promise.reject(err);
    }
    return handled
      .then(
        (result) => act(msg, deliveries, result, undefined),
        (err: unknown) => {
          report(err, msg);
          const failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          return act(msg, deliveries, { kind: 'retry' }, failure);
        },
      )
      .catch((err: unknown) => report(err, msg));
  };

  const inFlight = new InFlight(concurrency);
  let stopping = false;
  const start = (msg: JsMsg) => inFlight.add(settle(msg));

  const done = (async (): Promise<Error | undefined> => {
    try {
      for await (const msg of messages) {
        const waiting = inFlight.room();
        if (waiting) await waiting;
        // Pulled but not started when stop came: hand it straight back for another replica.
        if (stopping) msg.nak();
        else start(msg);
      }
      return undefined;
    } catch (err) {
      report(err, undefined);
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      await inFlight.settled();
    }
  })();

  return {
    stream: options.stream,
    durable: options.durable,
    done,
    async stop() {
      stopping = true;
      lag.remove();
      await messages.close();
      await done;
    },
  };
}
