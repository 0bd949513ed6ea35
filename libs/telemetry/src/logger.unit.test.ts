import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
};

describe('createLogger', () => {
  // registers the async-local-storage context manager, as the SDK does in a service
  const provider = new NodeTracerProvider();
  provider.register();
  afterAll(() => provider.shutdown());

  it('writes JSON lines with the service, and the trace and span ids inside a span', () => {
    const { lines, stream } = capture();
    const logger = createLogger('svc', 'info', stream);
    logger.info('outside');
    const span = trace.getTracer('test').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    expect(lines[0]).toMatchObject({ service: 'svc', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({
      msg: 'inside',
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
  });

  it('never writes a secret it is given', () => {
    const { lines, stream } = capture();
    createLogger('svc', 'info', stream).info({ config: { botToken: 'sekret' } }, 'configured');
    expect(JSON.stringify(lines[0])).not.toContain('sekret');
  });
});
