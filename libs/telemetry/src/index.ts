export { createLogger, type Logger } from './logger.js';
export {
  contextFromTraceparent,
  currentTraceparent,
  extractTraceContext,
  injectTraceHeaders,
  natsHeaderGetter,
  natsHeaderSetter,
} from './nats-propagation.js';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk.js';
