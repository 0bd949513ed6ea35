import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AlwaysOffSampler, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { setRecording } from './async-spans.js';
import { bindMetrics } from './metrics.js';
import { otlpSpanExporterFromEnv, samplerFromEnv, tracesExportedFromEnv } from './otlp-exporter.js';
import { httpClientInstrumentation } from './undici.js';

export interface TelemetryOptions {
  serviceName: string;
  /** Extra processors (tests pass an in-memory exporter here); spans are recorded when there are any. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Whether spans leave the process (OTLP, or the processors a test gave). */
  readonly recording: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts tracing and metrics for a service.
 *
 * Traces: spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (`OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`, the default, or `http/json`). Otherwise spans are
 * not recorded at all (sampled out, which keeps their cost per message to a pair of ids; the spans of
 * consumed NATS messages and webhook attempts are not even made, their work runs in the context it came
 * with), but trace context still exists: every log line carries a trace id, and it still flows through
 * incoming HTTP, NATS headers and event metadata; outgoing HTTP requests (provider calls, webhooks) then
 * carry none.
 * Metrics: one Prometheus text endpoint per process, see `serveMetrics`.
 *
 * The SDK's parts are put together here rather than through `NodeSDK`, which loads every exporter and
 * detector it could configure: that took seconds of each service's start.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  // Named in full: these are the standard variables read here (the k8s tests match them to manifests).
  const env: NodeJS.ProcessEnv = {
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_EXPORTER_OTLP_PROTOCOL: process.env.OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER,
    OTEL_TRACES_SAMPLER: process.env.OTEL_TRACES_SAMPLER,
    OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG,
    OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY,
  };
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (tracesExportedFromEnv(env)) {
    processors.push(new BatchSpanProcessor(otlpSpanExporterFromEnv(env), batchOptionsFromEnv(env)));
  }
  const recording = processors.length > 0;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName });
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: processors,
    sampler: recording ? samplerFromEnv(env) : new AlwaysOffSampler(),
  });
  // The async-local-storage context manager and the W3C trace-context and baggage propagators.
  tracerProvider.register();
  const prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);
  const unregister = registerInstrumentations({
    // The gateway's HTTP server instrumentation comes with `@switchboard/telemetry/fastify`, so that
    // the other services do not load Fastify. Client spans only while spans are recorded: without them
    // the instrumentation still cost every provider call and webhook attempt a span, a header and a
    // histogram entry (a few per cent of the webhook dispatcher's CPU per delivery).
    instrumentations: recording ? [httpClientInstrumentation()] : [],
    tracerProvider,
    meterProvider,
  });
  setRecording(recording);
  bindMetrics(metrics.getMeter('switchboard'), prometheus);
  return {
    recording,
    async shutdown() {
      unregister();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      // Lets a later start in the same process (tests) register its own providers.
      for (const api of [trace, metrics, propagation, context]) api.disable();
    },
  };
}

function batchOptionsFromEnv(env: NodeJS.ProcessEnv) {
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return Number.isFinite(delay) && delay > 0 ? { scheduledDelayMillis: delay } : {};
}
