import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurationHistogram, LabelledCounter, observeGauge, serveMetrics } from './metrics.js';
import { startTelemetry, type Telemetry } from './sdk.js';

// Declared before telemetry starts, as module-level instruments are: they must still be exported.
const sends = new LabelledCounter('test_sends', 'Sends by channel and outcome', ['channel', 'outcome']);
const latency = new DurationHistogram('test_latency_seconds', 'Latency', [0.01, 0.1, 1]);

describe('metrics', () => {
  let telemetry: Telemetry;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    telemetry = startTelemetry({ serviceName: 'metrics-test' });
    server = createServer(serveMetrics);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await telemetry.shutdown();
  });

  const scrape = async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  it('serves counters, histograms and gauges in the Prometheus text format', async () => {
    sends.add('telegram', 'sent');
    sends.add('telegram', 'sent');
    sends.add('slack', 'failed');
    latency.recordSince(performance.now() - 50);
    let lag = 7;
    const gauge = observeGauge('test_lag_events', 'Lag', (record) => record(lag, { projection: 'core' }));

    let text = await scrape();
    expect(text).toContain('# TYPE test_sends_total counter');
    expect(text).toMatch(/^test_sends_total\{channel="telegram",outcome="sent"\} 2$/m);
    expect(text).toMatch(/^test_sends_total\{channel="slack",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^test_latency_seconds_bucket\{le="0.1"\} 1$/m);
    expect(text).toMatch(/^test_latency_seconds_bucket\{le="0.01"\} 0$/m);
    expect(text).toMatch(/^test_lag_events\{projection="core"\} 7$/m);

    lag = 3;
    sends.add('telegram', 'sent');
    text = await scrape();
    expect(text).toMatch(/^test_lag_events\{projection="core"\} 3$/m);
    expect(text).toMatch(/^test_sends_total\{channel="telegram",outcome="sent"\} 3$/m);

    gauge.remove();
    lag = 99;
    expect(await scrape()).not.toMatch(/^test_lag_events\{projection="core"\} 99$/m);
  });

  it('leaves out a gauge whose reading fails, and keeps serving the rest', async () => {
    const gauge = observeGauge('test_broken_events', 'Broken', async () => {
      throw new Error('pool closed');
    });
    const text = await scrape();
    expect(text).not.toMatch(/^test_broken_events /m);
    expect(text).toMatch(/^test_sends_total\{/m);
    gauge.remove();
  });

  it('gives spans ids without recording them when nothing is exported', () => {
    expect(telemetry.recording).toBe(false);
    const span = trace.getTracer('test').startSpan('unrecorded');
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    span.end();
  });
});
