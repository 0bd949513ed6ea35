import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { DurationHistogram } from '@switchboard/telemetry';

// Asked for at each use: a tracer taken before telemetry starts would stay a no-op.
const tracer = () => trace.getTracer('@switchboard/event-store');

const appendDuration = new DurationHistogram(
  'switchboard_event_store_append_seconds',
  'Time to append to the event store, from the call to the commit (retries included)',
  [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
);

/**
 * One append as a span (a child of the command that decided it) and one reading of the append latency
 * histogram. The span names the first stream and how many there are (a broadcaster batch writes 501:
 * their names joined would be a 40 KB attribute on every append); the category of the first is in the
 * span's name, so traces group by aggregate.
 */
export async function measuredAppend<T>(
  streams: readonly string[],
  events: number,
  append: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const first = streams[0] ?? '';
  const span = tracer().startSpan(`append ${first.split('-', 1)[0]}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': 'append',
      'switchboard.stream': first,
      'switchboard.streams': streams.length,
      'switchboard.events': events,
    },
  });
  try {
    return await append();
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : String(err) });
    throw err;
  } finally {
    span.end();
    appendDuration.recordSince(started);
  }
}
