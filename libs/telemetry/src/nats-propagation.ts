import type { MsgHdrs } from '@nats-io/nats-core';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

// NATS headers are neither a plain object nor an HTTP header bag, so the default carriers of
// OpenTelemetry cannot read or write them: these two adapt the W3C propagator to MsgHdrs.
export const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

export const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => carrier?.keys() ?? [],
  get(carrier, key) {
    if (!carrier?.has(key)) return undefined;
    return carrier.get(key) || undefined;
  },
};

/** Writes the active trace context (`traceparent`, `tracestate`) into outgoing NATS headers. */
export function injectTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, natsHeaderSetter);
}

/** The trace context a received NATS message carries; the root context when it carries none. */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
}

/** The active context as a W3C `traceparent` string, for event metadata; undefined outside a span. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** A context whose remote parent is the given `traceparent` (as stored in event metadata). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
