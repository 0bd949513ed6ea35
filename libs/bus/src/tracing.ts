import type { MsgHdrs } from '@nats-io/nats-core';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { extractTraceContext, inParentOnly, spansRecorded } from '@switchboard/telemetry';

const tracer = () => trace.getTracer('@switchboard/bus');

/**
 * Runs `work` in a span. A handler's span is the child of the context the message carried
 * (`parentHeaders`), so the trace continues across the hop; a sender's span is a child of the active one.
 */
export async function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parentHeaders: MsgHdrs | undefined | 'active',
  work: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const parent = parentHeaders === 'active' ? context.active() : extractTraceContext(parentHeaders);
  if (!spansRecorded()) return inParentOnly(parent, (span) => work(span, parent));
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => work(span, ctx));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind };
