import { headers } from '@nats-io/nats-core';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTestNats, type TestNats } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTraceparent, extractTraceContext, injectTraceHeaders } from './nats-propagation.js';
import { startTelemetry, type Telemetry } from './sdk.js';

describe('trace context over NATS headers', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let nats: TestNats;

  beforeAll(async () => {
    telemetry = startTelemetry({
      serviceName: 'telemetry-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    nats = await createTestNats();
  });
  afterAll(async () => {
    await nats.close();
    await telemetry.shutdown();
  });

  it('makes the requester span the parent of the responder span', async () => {
    const tracer = trace.getTracer('test');
    const subject = `${nats.namespace}.cmd.echo`;
    const sub = nats.nc.subscribe(subject, {
      callback: (_err, msg) => {
        const parent = extractTraceContext(msg.headers);
        tracer.startActiveSpan('responder', {}, parent, (span) => {
          msg.respond('ok');
          span.end();
        });
      },
    });

    await tracer.startActiveSpan('requester', async (span) => {
      const h = headers();
      injectTraceHeaders(h);
      expect(h.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await nats.nc.request(subject, 'ping', { timeout: 2000, headers: h });
      span.end();
    });
    sub.unsubscribe();

    const spans = exporter.getFinishedSpans();
    const requester = spans.find((s) => s.name === 'requester');
    const responder = spans.find((s) => s.name === 'responder');
    expect(requester).toBeDefined();
    expect(responder).toBeDefined();
    expect(responder!.spanContext().traceId).toBe(requester!.spanContext().traceId);
    expect(responder!.parentSpanContext?.spanId).toBe(requester!.spanContext().spanId);
  });

  it('gives a root context for a message without trace headers', () => {
    const ctx = extractTraceContext(headers());
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(extractTraceContext(undefined)).toBeDefined();
  });

  it('renders the active span as a traceparent for event metadata', () => {
    expect(currentTraceparent(context.active())).toBeUndefined();
    trace.getTracer('test').startActiveSpan('outer', (span) => {
      const tp = currentTraceparent();
      expect(tp).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      span.end();
    });
  });
});
