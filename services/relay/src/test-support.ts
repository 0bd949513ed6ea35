import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EventStore, RecordedEvent, RelayedEventBody } from '@switchboard/event-store';

/** One message of the EVENTS stream, as a consumer would see it. */
export interface PublishedMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  traceparent: string | undefined;
  body: RelayedEventBody;
}

export async function readPublished(nc: NatsConnection, stream: string): Promise<PublishedMessage[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const messages: PublishedMessage[] = [];
  if (state.messages === 0) return messages;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq });
    if (!msg) continue;
    messages.push({
      seq,
      subject: msg.subject,
      msgId: msg.header?.get('Nats-Msg-Id') || undefined,
      traceparent: msg.header?.get('traceparent') || undefined,
      body: msg.json<RelayedEventBody>(),
    });
  }
  return messages;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the stream holds `count` messages; holding more fails at once. */
export async function awaitPublished(
  nc: NatsConnection,
  stream: string,
  count: number,
): Promise<PublishedMessage[]> {
  return eventually(`${count} messages in ${stream}`, async () => {
    const messages = await readPublished(nc, stream);
    if (messages.length > count) {
      throw new Error(`${stream} holds ${messages.length} messages, more than the ${count} expected`);
    }
    return messages.length === count ? messages : undefined;
  });
}

export const testTraceparent = (): string =>
  `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;

/**
 * Appends `count` events spread over a few conversation streams of one tenant, in several appends
 * (some with two events), the way command handlers would.
 */
export async function appendEvents(store: EventStore, tenant: string, count: number): Promise<void> {
  const streams = [randomUUID(), randomUUID(), randomUUID()].map((id) => `conversation-${id}`);
  let n = 0;
  while (n < count) {
    const stream = streams[n % streams.length] as string;
    const size = Math.min(count - n, n % 4 === 0 ? 2 : 1);
    const traceparent = testTraceparent();
    await store.appendToStream(
      stream,
      Array.from({ length: size }, (_, i) => ({
        type: 'MessagePosted',
        data: { n: n + i },
        metadata: { tenant, correlationId: randomUUID(), traceparent },
      })),
    );
    n += size;
  }
}

/** Every event of the store, in `$all` order. */
export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  return store.readAll({ maxCount: 100_000 });
}
