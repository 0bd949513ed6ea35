import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes, Histogram, Meter, ObservableCallback, ObservableGauge } from '@opentelemetry/api';

/**
 * Metric instruments that can be declared anywhere, at any time: the OpenTelemetry API has no proxy for
 * meters, so an instrument made before `startTelemetry` would stay a no-op. Each one here is bound to
 * the real meter when telemetry starts (or at once, when it already has).
 */
let meter: Meter | undefined;
let reader: { getMetricsRequestHandler(req: IncomingMessage, res: ServerResponse): void } | undefined;
const binders: ((meter: Meter) => void)[] = [];

/** Binds now (if started) and at every later start; the returned function stops the later ones. */
function whenMeter(bind: (meter: Meter) => void): () => void {
  binders.push(bind);
  if (meter) bind(meter);
  return () => {
    const at = binders.indexOf(bind);
    if (at >= 0) binders.splice(at, 1);
  };
}

/** Called by `startTelemetry` once the meter provider is registered, with its Prometheus reader. */
export function bindMetrics(to: Meter, prometheus: typeof reader): void {
  meter = to;
  reader = prometheus;
  for (const bind of binders) bind(to);
}

/**
 * Answers a scrape with this process's metrics in the Prometheus text format. Mounted at `/metrics` on
 * each service's health port (the gateway's own port); 503 before `startTelemetry`.
 */
export function serveMetrics(request: IncomingMessage, response: ServerResponse): void {
  if (!reader) {
    response.writeHead(503, { 'content-type': 'text/plain' }).end('# telemetry not started\n');
    return;
  }
  reader.getMetricsRequestHandler(request, response);
}

/**
 * A counter by one or two labels that costs a map lookup and an addition per event, and allocates
 * nothing after the first event of each label combination: the counts are kept here and read by the
 * metrics reader at scrape time. For the per-message paths (commands, sends, webhook attempts).
 */
export class LabelledCounter {
  readonly #counts = new Map<string, Map<string, number>>();

  constructor(
    readonly name: string,
    description: string,
    readonly labels: readonly [string] | readonly [string, string],
  ) {
    whenMeter((m) =>
      m.createObservableCounter(name, { description }).addCallback((result) => {
        const [first, second] = this.labels;
        for (const [a, inner] of this.#counts) {
          for (const [b, value] of inner) {
            result.observe(value, second === undefined ? { [first]: a } : { [first]: a, [second]: b });
          }
        }
      }),
    );
  }

  add(first: string, second = '', by = 1): void {
    let inner = this.#counts.get(first);
    if (!inner) {
      inner = new Map();
      this.#counts.set(first, inner);
    }
    inner.set(second, (inner.get(second) ?? 0) + by);
  }

  /** The count so far (for tests and status pages). */
  value(first: string, second = ''): number {
    return this.#counts.get(first)?.get(second) ?? 0;
  }
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** A histogram of durations in seconds, recorded without labels. */
export class DurationHistogram {
  #instrument: Histogram | undefined;

  constructor(name: string, description: string, buckets: number[]) {
    whenMeter((m) => {
      this.#instrument = m.createHistogram(name, {
        description,
        unit: 's',
        advice: { explicitBucketBoundaries: buckets },
      });
    });
  }

  /** Records the time since `startedAt` (a `performance.now()` reading). */
  recordSince(startedAt: number): void {
    this.#instrument?.record((performance.now() - startedAt) / 1000, NO_ATTRIBUTES);
  }
}

export interface GaugeRegistration {
  /** Stops observing (the service that observed is stopping). */
  remove(): void;
}

/**
 * A gauge read at scrape time, e.g. a lag that needs a query. `observe` may be async; it is called once
 * per scrape, never per message. Remove the registration when what it reads is closed.
 */
export function observeGauge(
  name: string,
  description: string,
  observe: (record: (value: number, attributes?: Attributes) => void) => Promise<void> | void,
): GaugeRegistration {
  const bound: { gauge: ObservableGauge; callback: ObservableCallback }[] = [];
  const unbind = whenMeter((m) => {
    const gauge = m.createObservableGauge(name, { description });
    const callback: ObservableCallback = async (result) => {
      try {
        await observe((value, attributes) => result.observe(value, attributes));
      } catch {
        // Nothing to report this time (a closed pool, an unreachable server): the series is absent.
      }
    };
    gauge.addCallback(callback);
    bound.push({ gauge, callback });
  });
  return {
    remove() {
      // Forgotten, so a gauge of a stopped consumer neither lingers in memory nor binds again.
      unbind();
      for (const { gauge, callback } of bound.splice(0)) gauge.removeCallback(callback);
    },
  };
}
