import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inEventTrace, linkedToEvents, MAX_BATCH_LINKS, setRecording } from './async-spans.js';
import { startTelemetry, type Telemetry } from './sdk.js';

const traceparent = (traceId: string, spanId = '00f067aa0ba902b7') => `00-${traceId}-${spanId}-01`;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

describe('spans of work done after the request', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'async-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  afterAll(() => telemetry.shutdown());

  it('runs the work for one event in the trace of the request that recorded it', async () => {
    const traceId = hex(1, 32);
    const inner = await inEventTrace('deliver', traceparent(traceId), { 'x.id': 'a' }, async () =>
      trace.getActiveSpan()?.spanContext(),
    );
    const span = exporter.getFinishedSpans().find((s) => s.name === 'deliver');
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(inner?.spanId).toBe(span?.spanContext().spanId);
  });

  it('starts a new trace when the event has none, and records a failure', async () => {
    await expect(
      inEventTrace('fails', undefined, {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'fails');
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.status.code).toBe(2);
  });

  it('links a batch to each request once, up to the cap, in a trace of its own', async () => {
    const parents = [
      traceparent(hex(2, 32)),
      traceparent(hex(2, 32)),
      undefined,
      'not a traceparent',
      ...Array.from({ length: MAX_BATCH_LINKS + 10 }, (_, i) => traceparent(hex(100 + i, 32))),
    ];
    await linkedToEvents('batch', parents, { 'x.events': parents.length }, async () => {});
    const span = exporter.getFinishedSpans().find((s) => s.name === 'batch');
    expect(span?.links).toHaveLength(MAX_BATCH_LINKS);
    expect(span?.links[0]?.context.traceId).toBe(hex(2, 32));
    expect(span?.links[1]?.context.traceId).toBe(hex(100, 32));
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.links.map((l) => l.context.traceId)).not.toContain(span?.spanContext().traceId);
  });

  it('given spans not recorded, when work runs for an event, then it runs in the request’s trace without a span', async () => {
    setRecording(false);
    try {
      const traceId = hex(3, 32);
      const before = exporter.getFinishedSpans().length;
      const inner = await inEventTrace('quiet', traceparent(traceId), {}, async (span) => {
        span.setAttribute('x.ignored', 1);
        return trace.getActiveSpan()?.spanContext();
      });
      expect(inner?.traceId).toBe(traceId);
      expect(inner?.spanId).toBe('00f067aa0ba902b7');
      const fresh = await inEventTrace('quiet', undefined, {}, async () =>
        trace.getActiveSpan()?.spanContext(),
      );
      expect(fresh).toBeUndefined();
      expect(exporter.getFinishedSpans().length).toBe(before);
    } finally {
      setRecording(true);
    }
  });
});
