import { trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Marks a child logger whose bindings already name the trace (see `withTraceIds`). */
const TRACED = Symbol('switchboard.traced-logger');

/**
 * Structured JSON logs; every line written inside a span carries its trace and span ids, so a log
 * line leads to the whole trace of the request that caused it.
 */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin(_merge: object, _level: number, logger: Logger) {
      if ((logger as { [TRACED]?: true })[TRACED]) return {};
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    redact: {
      paths: ['*.token', '*.botToken', '*.authToken', '*.signingSecret', '*.secret', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A child logger whose every line names this trace and span, wherever it is called from: for work
 * whose later steps run outside the span's async context (an HTTP request after its body was read).
 */
export function withTraceIds<L extends { child(bindings: Record<string, unknown>): L }>(
  logger: L,
  traceId: string,
  spanId: string,
): L {
  const child = logger.child({ trace_id: traceId, span_id: spanId });
  (child as { [TRACED]?: true })[TRACED] = true;
  return child;
}
