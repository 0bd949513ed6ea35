import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { contextFromTraceparent } from './nats-propagation.js';

const TRACER = 'switchboard';

let recording = true;

/** Set by `startTelemetry`: links are only worth their parsing when spans are recorded. */
export function setRecording(value: boolean): void {
  recording = value;
}

/** Whether spans are recorded (exported) in this process; true until `startTelemetry` says otherwise. */
export function spansRecorded(): boolean {
  return recording;
}

/**
 * Runs `work` in `parent` without a span of its own: what a span would do when none is recorded. The
 * trace goes on all the same (what `work` sends carries the parent's trace, and its logs the trace id),
 * without a span's ids, attributes and clock readings per message.
 */
export function inParentOnly<T>(parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  return context.with(parent, () =>
    work(trace.getSpan(parent) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT)),
  );
}

/** Links kept on one batch span at most: enough to find the requests, bounded for a large catch-up. */
export const MAX_BATCH_LINKS = 64;

/**
 * Runs work done later for one event (a webhook delivery, a retry minutes after) as a child of the span
 * that recorded the event, whose `traceparent` the event's metadata keeps: the work joins the trace of
 * the request that caused it. A link would start a new trace per attempt; one request is one trace.
 */
export function inEventTrace<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(
    TRACER,
    name,
    { kind: SpanKind.CONSUMER, attributes },
    contextFromTraceparent(traceparent),
    work,
  );
}

/**
 * Runs work done for a batch of events from many requests (a projector batch) in a span of its own
 * trace, linked to the span that recorded each event (up to `MAX_BATCH_LINKS`): a batch has no single
 * parent, and a link lets each request's trace lead to it.
 */
export function linkedToEvents<T>(
  name: string,
  traceparents: Iterable<string | undefined>,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const traceparent of recording ? traceparents : []) {
    if (links.length >= MAX_BATCH_LINKS) break;
    if (!traceparent || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const linked = trace.getSpanContext(contextFromTraceparent(traceparent));
    if (linked) links.push({ context: linked });
  }
  return inSpan(
    TRACER,
    name,
    { kind: SpanKind.CONSUMER, attributes, links, root: true },
    context.active(),
    work,
  );
}

/**
 * Runs `work` in a span of `tracerName`'s, child of `parent` (a root of its own trace with
 * `options.root`), and ends the span when the work settles, its error recorded. When spans are not
 * recorded, no span is made: the work runs in `parent` (`inParentOnly`). `work` gets the span and the
 * context it runs in.
 */
export function inSpan<T>(
  tracerName: string,
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  // Not an async function itself: that would cost every message and delivery a promise more.
  if (!recording) return inParentOnly(parent, (span) => work(span, parent));
  const span = trace.getTracer(tracerName).startSpan(name, options, parent);
  const ctx = trace.setSpan(parent, span);
  return endedWhenSettled(span, () => context.with(ctx, () => work(span, ctx)));
}

/** Runs `work` and ends `span` when it settles, with its error recorded. */
async function endedWhenSettled<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
