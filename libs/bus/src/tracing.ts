import type { MsgHdrs } from '@nats-io/nats-core';
import { type Attributes, type Context, context, type Span, SpanKind } from '@opentelemetry/api';
import { extractTraceContext, inSpan } from '@switchboard/telemetry';

/**
 * Runs `work` in a span. A handler's span is the child of the context the message carried
 * (`parentHeaders`), so the trace continues across the hop; a sender's span is a child of the active one.
 */
export function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parentHeaders: MsgHdrs | undefined | 'active',
  work: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const parent = parentHeaders === 'active' ? context.active() : extractTraceContext(parentHeaders);
  return inSpan('@switchboard/bus', name, { kind, attributes }, parent, work);
}

export { SpanKind };
