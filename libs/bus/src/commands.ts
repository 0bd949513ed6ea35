import type { Msg, MsgHdrs } from '@nats-io/nats-core';
import { NoRespondersError, headers as newHeaders, RequestError, TimeoutError } from '@nats-io/nats-core';
import { currentTraceparent, injectTraceHeaders } from '@switchboard/telemetry';
import type { BusContext, Stoppable } from './bus-context.js';
import {
  type CommandEnvelope,
  type CommandReply,
  decodeCommandEnvelope,
  decodeCommandReply,
  encodeJson,
  MalformedMessageError,
} from './envelope.js';
import { InFlight } from './in-flight.js';
import { SpanKind, withSpan } from './tracing.js';

export interface RequestOptions {
  /** How long to wait for the reply; default 5 s. */
  timeoutMs?: number;
  /** Extra headers; trace headers are added to them. */
  headers?: MsgHdrs;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends a command to the queue group serving `subject` and returns its reply. The two transport
 * failures a caller must map to 503 come back as `unavailable` rather than as exceptions.
 */
export function requestCommand<R>(
  bus: BusContext,
  subject: string,
  envelope: CommandEnvelope,
  options: RequestOptions = {},
): Promise<CommandReply<R>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return withSpan(
    `send ${envelope.type}`,
    SpanKind.CLIENT,
    {
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'switchboard.command_id': envelope.commandId,
    },
    'active',
    async (_span, ctx) => {
      const headers = options.headers ?? newHeaders();
      injectTraceHeaders(headers, ctx);
      const traceparent = envelope.metadata.traceparent ?? currentTraceparent(ctx);
      const sent: CommandEnvelope = traceparent
        ? { ...envelope, metadata: { ...envelope.metadata, traceparent } }
        : envelope;
      try {
        const reply = await bus.nc.request(subject, encodeJson(sent), { timeout: timeoutMs, headers });
        return decodeCommandReply<R>(reply.data);
      } catch (err) {
        if (isNoResponders(err)) {
          return { status: 'unavailable', message: `no service is serving ${subject}` };
        }
        if (isTimeout(err)) {
          return {
            status: 'unavailable',
            message:
              `timed out after ${timeoutMs} ms waiting for a reply on ${subject}; ` +
              `the command may still be applied, retry it with the same commandId`,
          };
        }
        throw err;
      }
    },
  );
}

const isNoResponders = (err: unknown): boolean =>
  err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());

const isTimeout = (err: unknown): boolean => err instanceof TimeoutError;

export type CommandHandler<P = unknown, R = unknown> = (
  envelope: CommandEnvelope<P>,
  msg: Msg,
) => Promise<CommandReply<R>>;

export interface ServeOptions {
  /** Queue group: each request is answered by one member. */
  queue: string;
  /** Handlers running at once in this process; default 64. */
  concurrency?: number;
  /** Told about every handler failure that was turned into a `rejected/internal` reply. */
  onError?: (err: unknown, msg: Msg) => void;
}

export interface Responder extends Stoppable {
  readonly subject: string;
  readonly queue: string;
}

const REPLY_STATUSES = new Set(['ok', 'rejected', 'not_found', 'conflict', 'unavailable']);

/**
 * Answers commands on `subject` as a member of a queue group. A handler that throws (or returns
 * something that is not a reply) answers `rejected/internal`; the responder keeps serving.
 */
export function serveCommands<P, R>(
  bus: BusContext,
  subject: string,
  options: ServeOptions,
  handler: CommandHandler<P, R>,
): Responder {
  const concurrency = Math.max(1, options.concurrency ?? 64);
  const sub = bus.nc.subscribe(subject, { queue: options.queue });
  const inFlight = new InFlight(concurrency);

  const answer = async (msg: Msg): Promise<void> => {
    const reply = await replyFor(msg);
    if (!msg.reply) return;
    try {
      msg.respond(encodeJson(reply));
    } catch (err) {
      options.onError?.(err, msg);
    }
  };

  const replyFor = async (msg: Msg): Promise<CommandReply<R>> => {
    let envelope: CommandEnvelope<P>;
    try {
      envelope = decodeCommandEnvelope<P>(msg.data);
    } catch (err) {
      options.onError?.(err, msg);
      const message = err instanceof MalformedMessageError ? err.message : 'malformed command';
      return { status: 'rejected', code: 'malformed_command', message };
    }
    try {
      const reply = await withSpan(
        `handle ${envelope.type}`,
        SpanKind.SERVER,
        {
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'switchboard.command_id': envelope.commandId,
          'switchboard.tenant': envelope.tenant,
        },
        msg.headers,
        () => handler(envelope, msg),
      );
      if (typeof reply !== 'object' || reply === null || !REPLY_STATUSES.has(reply.status)) {
        throw new Error(`handler for ${envelope.type} returned no command reply`);
      }
      return reply;
    } catch (err) {
      options.onError?.(err, msg);
      // The cause goes to the logs, not to the caller: it may carry internals.
      return {
        status: 'rejected',
        code: 'internal',
        message: `internal error while handling ${envelope.type} (command ${envelope.commandId})`,
      };
    }
  };

  const loop = (async () => {
    for await (const msg of sub) {
      const waiting = inFlight.room();
      if (waiting) await waiting;
      inFlight.add(answer(msg));
    }
    await inFlight.settled();
  })();

  return {
    subject,
    queue: options.queue,
    async stop() {
      if (!sub.isClosed() && !bus.nc.isClosed()) {
        // Drain: no new requests reach this member; those already received are still answered.
        await sub.drain().catch(() => sub.unsubscribe());
      }
      await loop;
    },
  };
}
