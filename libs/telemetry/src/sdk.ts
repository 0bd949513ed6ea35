import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TelemetryOptions {
  serviceName: string;
  /** Extra processors (tests pass an in-memory exporter here). */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for a service. Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set; the W3C propagator and the async-local-storage context manager are always installed, so
 * trace context flows through NATS headers and event metadata even when nothing is exported.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: processors,
    instrumentations: [],
    autoDetectResources: false,
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
