import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { describe, expect, it } from 'vitest';
import { otlpSpanExporterFromEnv, samplerFromEnv, tracesExportedFromEnv } from './otlp-exporter.js';

describe('OTLP export settings', () => {
  it('exports only when an endpoint is set and traces are not turned off', () => {
    expect(tracesExportedFromEnv({})).toBe(false);
    expect(tracesExportedFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracesExportedFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesExportedFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(
      true,
    );
    expect(
      tracesExportedFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBe(false);
  });

  it('speaks http/protobuf unless http/json is asked for', async () => {
    const exporters = [
      otlpSpanExporterFromEnv({}),
      otlpSpanExporterFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
      otlpSpanExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }),
      otlpSpanExporterFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    ];
    expect(exporters.map((e) => e.constructor)).toEqual([
      ProtobufTraceExporter,
      JsonTraceExporter,
      JsonTraceExporter,
      ProtobufTraceExporter,
    ]);
    await Promise.all(exporters.map((e) => e.shutdown()));
  });

  it('samples as OTEL_TRACES_SAMPLER says, parent-based always-on by default', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).toString(),
    ).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0.25\}/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
  });
});
