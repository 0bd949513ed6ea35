import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '@switchboard/telemetry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outcome } from './consume.js';
import { type CommandEnvelope, commandEnvelope } from './envelope.js';
import { eventually, openTestBus, type TestBus } from './test-support.js';

describe('trace propagation through the bus', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let t: TestBus;
  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'bus-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });
  beforeEach(async () => {
    exporter.reset();
    t = await openTestBus('tracing-test');
  });
  afterEach(async () => {
    await t.close();
  });

  const tracer = () => trace.getTracer('test');

  it('makes the command handler part of the caller’s trace and records the traceparent in the envelope', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'CreateUser');
    let received: CommandEnvelope | undefined;
    let handlerTraceId: string | undefined;
    bus.serve(subject, { queue: 'command-handler' }, async (env) => {
      received = env;
      handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
      return { status: 'ok', result: null };
    });
    const callerTraceId = await tracer().startActiveSpan('POST /users', async (span) => {
      await bus.request(subject, commandEnvelope({ type: 'CreateUser', tenant: 'acme', payload: {} }));
      span.end();
      return span.spanContext().traceId;
    });
    expect(handlerTraceId).toBe(callerTraceId);
    expect(received?.metadata.traceparent).toMatch(new RegExp(`^00-${callerTraceId}-[0-9a-f]{16}-01$`));
    const names = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === callerTraceId);
    expect(names.map((s) => s.name).sort()).toEqual(['POST /users', 'handle CreateUser', 'send CreateUser']);
  });

  it('makes the consumer’s handler part of the publisher’s trace', async () => {
    const { bus } = t;
    await bus.ensureStandardStreams();
    const seen: string[] = [];
    await bus.consume({
      stream: bus.names.streams.events,
      durable: 'traced',
      maxDeliver: 3,
      ackWaitMs: 30_000,
      handler: async () => {
        seen.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
        return outcome.ack;
      },
    });
    const publisherTraceId = await tracer().startActiveSpan('relay tick', async (span) => {
      await bus.publish(bus.names.event('acme', 'user', 'u1', 'UserCreated'), { id: 'u1' });
      span.end();
      return span.spanContext().traceId;
    });
    await eventually('the handler', () => seen.length === 1);
    expect(seen).toEqual([publisherTraceId]);
  });
});
