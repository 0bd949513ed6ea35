export {
  inEventTrace,
  inParentOnly,
  inSpan,
  linkedToEvents,
  MAX_BATCH_LINKS,
  spansRecorded,
} from './async-spans.js';
export { createLogger, type Logger, withTraceIds } from './logger.js';
export {
  bindMetrics,
  DurationHistogram,
  type GaugeRegistration,
  LabelledCounter,
  observeGauge,
  serveMetrics,
} from './metrics.js';
export {
  contextFromTraceparent,
  currentTraceparent,
  extractTraceContext,
  injectTraceHeaders,
  natsHeaderGetter,
  natsHeaderSetter,
} from './nats-propagation.js';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk.js';
