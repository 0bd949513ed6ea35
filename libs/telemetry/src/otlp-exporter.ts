import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';

/** Spans leave the process when an OTLP endpoint is configured and traces are not turned off. */
export function tracesExportedFromEnv(env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_TRACES_EXPORTER !== 'none';
}

/**
 * The OTLP/HTTP exporter for the configured protocol; both read the endpoint, headers and time-out
 * from the standard `OTEL_EXPORTER_OTLP_*` variables. gRPC is not offered: it would need another
 * transport stack for no gain over HTTP, which every collector (and Jaeger) accepts on port 4318.
 */
export function otlpSpanExporterFromEnv(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '').trim();
  if (protocol === 'http/json') return new JsonTraceExporter();
  if (protocol !== '' && protocol !== 'http/protobuf') {
    process.emitWarning(`OTLP protocol "${protocol}" is not supported; exporting spans over http/protobuf`);
  }
  return new ProtobufTraceExporter();
}

/**
 * The sampler while spans are exported: `OTEL_TRACES_SAMPLER` (`parentbased_always_on`, the default,
 * `parentbased_traceidratio`, `traceidratio`, `always_on`, `always_off`, `parentbased_always_off`),
 * with `OTEL_TRACES_SAMPLER_ARG` as the ratio.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const byRatio = () =>
    new TraceIdRatioBasedSampler(Number.isFinite(ratio) && env.OTEL_TRACES_SAMPLER_ARG ? ratio : 1);
  switch ((env.OTEL_TRACES_SAMPLER ?? '').trim()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return byRatio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: byRatio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
