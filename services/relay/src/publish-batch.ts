import { headers as natsHeaders } from '@nats-io/nats-core';
import { context } from '@opentelemetry/api';
import { type Bus, ExpectedLastMsgIdMismatchError } from '@switchboard/bus';
import { type RecordedEvent, relayedEventBody } from '@switchboard/event-store';
import { contextFromTraceparent } from '@switchboard/telemetry';
import { relayedEventSubject } from './relayed-event.js';

export type BatchOutcome =
  | { kind: 'published'; lastEvent: RecordedEvent }
  /** The stream's last message was not the one expected: someone else published. */
  | { kind: 'mismatch'; published: number; serverLastMsgId: string | undefined };

/**
 * Publishes a batch in order, each message expecting the previous one's id as the stream's last: the
 * chain breaks at the first message that does not follow, and every later one is refused too. The
 * messages are pipelined (sent before the earlier acks arrive), which the chain keeps safe.
 */
export async function publishBatch(
  bus: Bus,
  events: readonly RecordedEvent[],
  expectedLastMsgId: string | undefined,
  onAdjustedSubject: (event: RecordedEvent, subject: string) => void,
): Promise<BatchOutcome> {
  const acks: Promise<unknown>[] = [];
  let previous = expectedLastMsgId;
  for (const event of events) {
    const { subject, adjusted } = relayedEventSubject(bus.names, event);
    if (adjusted) onAdjustedSubject(event, subject);
    const traceparent =
      typeof event.metadata.traceparent === 'string' ? event.metadata.traceparent : undefined;
    const headers = natsHeaders();
    // Kept when no tracer is running; with one, the publish span (a child of it) takes its place.
    if (traceparent) headers.set('traceparent', traceparent);
    const options = {
      msgId: event.id,
      headers,
      ...(previous === undefined ? {} : { expectedLastMsgId: previous }),
    };
    const ack = context.with(contextFromTraceparent(traceparent), () =>
      bus.publish(subject, relayedEventBody(event), options),
    );
    ack.catch(() => {}); // examined below, in order
    acks.push(ack);
    previous = event.id;
  }
  const results = await Promise.allSettled(acks);
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed === -1) {
    const lastEvent = events[events.length - 1];
    if (!lastEvent) throw new Error('publishBatch needs at least one event');
    return { kind: 'published', lastEvent };
  }
  const reason = (results[failed] as PromiseRejectedResult).reason;
  if (reason instanceof ExpectedLastMsgIdMismatchError) {
    return { kind: 'mismatch', published: failed, serverLastMsgId: serverLastMsgId(reason) };
  }
  throw reason;
}

/** The server names its actual last message id in the refusal: "wrong last msg ID: <id>". */
function serverLastMsgId(error: ExpectedLastMsgIdMismatchError): string | undefined {
  const cause = error.cause instanceof Error ? error.cause.message : '';
  const match = /wrong last msg ID:\s*(\S*)/i.exec(cause);
  return match ? (match[1] ?? '') : undefined;
}
