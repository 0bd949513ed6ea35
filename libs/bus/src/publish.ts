import { JetStreamApiError, type JetStreamPublishOptions, type PubAck } from '@nats-io/jetstream';
import { type MsgHdrs, headers as newHeaders } from '@nats-io/nats-core';
import { injectTraceHeaders } from '@switchboard/telemetry';
import type { BusContext } from './bus-context.js';
import { encodeJson } from './envelope.js';
import { SpanKind, withSpan } from './tracing.js';

export interface PublishOptions {
  /** `Nats-Msg-Id`: a second publish with the same id inside the duplicate window is dropped. */
  msgId?: string;
  /** `Nats-Expected-Last-Msg-Id`: the server refuses the message unless the stream's last id is this. */
  expectedLastMsgId?: string;
  /** Extra headers; trace headers are added to them. */
  headers?: MsgHdrs;
  /** How long to wait for the PubAck. */
  timeoutMs?: number;
  /** Per-message TTL (`Nats-TTL`): refused on servers older than 2.11, which would ignore it. */
  ttlMs?: number;
}

/** The stream refused the message because its last message id is not the one expected. */
export class ExpectedLastMsgIdMismatchError extends Error {
  constructor(
    readonly subject: string,
    readonly expectedLastMsgId: string,
    options?: ErrorOptions,
  ) {
    super(`publish to ${subject} refused: the stream's last message id is not ${expectedLastMsgId}`, options);
    this.name = 'ExpectedLastMsgIdMismatchError';
  }
}

const API_WRONG_LAST_MSG_ID = 10070;

export const toPayload = (data: Uint8Array | object): Uint8Array =>
  data instanceof Uint8Array ? data : encodeJson(data);

/** JetStream publish with trace headers; the PubAck tells whether the stream dropped it as a duplicate. */
export async function publishMessage(
  bus: BusContext,
  subject: string,
  data: Uint8Array | object,
  options: PublishOptions = {},
): Promise<PubAck> {
  if (options.ttlMs !== undefined) bus.features.require('perMessageTtl', `publish to ${subject} with a TTL`);
  return withSpan(
    `publish ${subject}`,
    SpanKind.PRODUCER,
    { 'messaging.system': 'nats', 'messaging.destination.name': subject },
    'active',
    async (_span, ctx) => {
      const headers = options.headers ?? newHeaders();
      injectTraceHeaders(headers, ctx);
      const opts: Partial<JetStreamPublishOptions> = { headers };
      if (options.msgId !== undefined) opts.msgID = options.msgId;
      if (options.expectedLastMsgId !== undefined) opts.expect = { lastMsgID: options.expectedLastMsgId };
      if (options.timeoutMs !== undefined) opts.timeout = options.timeoutMs;
      if (options.ttlMs !== undefined) opts.ttl = `${Math.ceil(options.ttlMs / 1000)}s`;
      try {
        return await bus.js.publish(subject, toPayload(data), opts);
      } catch (err) {
        if (
          options.expectedLastMsgId !== undefined &&
          err instanceof JetStreamApiError &&
          err.code === API_WRONG_LAST_MSG_ID
        ) {
          throw new ExpectedLastMsgIdMismatchError(subject, options.expectedLastMsgId, { cause: err });
        }
        throw err;
      }
    },
  );
}
