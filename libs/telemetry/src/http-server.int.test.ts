import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpObservability, TracedRequestLogs } from './http-server.js';
import { createLogger, type Logger } from './logger.js';
import { startTelemetry, type Telemetry } from './sdk.js';

describe('HTTP server observability', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  let telemetry: Telemetry;
  let app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  let seenInHandler: string | undefined;

  beforeAll(async () => {
    telemetry = startTelemetry({
      serviceName: 'http-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const logger = createLogger('http-test', 'info', {
      write: (line: string) => void lines.push(JSON.parse(line)),
    });
    app = Fastify({ loggerInstance: logger, logController: new TracedRequestLogs() });
    await app.register(httpObservability);
    // Registered after the plugin, in an encapsulated child, as the gateway's dialects are.
    await app.register(async (child) => {
      child.post('/things/:id', async (request) => {
        // after the body was parsed: the request's trace must still be the active one
        seenInHandler = trace.getSpan(context.active())?.spanContext().traceId;
        request.log.info('handling');
        return { ok: true };
      });
    });
    app.get('/healthz', async () => ({ status: 'ok' }));
  });
  afterAll(async () => {
    await app.close();
    await telemetry.shutdown();
  });

  it('opens a server span per request that continues the caller’s trace and covers the handler', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.inject({
      method: 'POST',
      url: '/things/42',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      payload: { some: 'body' },
    });
    expect(res.statusCode).toBe(200);
    const server = exporter.getFinishedSpans().find((s) => s.name === 'POST /things/:id');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server?.attributes['http.response.status_code']).toBe(200);
    expect(seenInHandler).toBe(traceId);

    const requestLines = lines.filter((l) =>
      ['incoming request', 'handling', 'request completed'].includes(String(l.msg)),
    );
    expect(requestLines.map((l) => l.msg)).toEqual(['incoming request', 'handling', 'request completed']);
    for (const line of requestLines) {
      expect(line.trace_id).toBe(traceId);
      expect(line.span_id).toBe(server?.spanContext().spanId);
    }
    // One trace id per line: the bound ids and the active span's do not both appear.
    expect(JSON.stringify(requestLines[1]).match(/trace_id/g)).toHaveLength(1);
  });

  it('neither traces nor logs probes, and serves /metrics', async () => {
    exporter.reset();
    const before = lines.length;
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(lines.slice(before)).toEqual([]);
  });
});
