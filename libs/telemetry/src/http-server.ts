import { FastifyOtelInstrumentation } from '@fastify/otel';
import { trace } from '@opentelemetry/api';
import { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import { withTraceIds } from './logger.js';
import { serveMetrics } from './metrics.js';

/** Probes and scrapes: no span, no request log (they come every few seconds and say nothing). */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const isQuiet = (url: string) => QUIET_PATHS.has(url.split('?', 1)[0] ?? url);

/**
 * Fastify's own OpenTelemetry instrumentation (`@fastify/otel`): a server span per request, continuing
 * the caller's `traceparent`, with the route handler run inside it (in a span of its own, which is how
 * the context survives the body parsing). Hooks get no span of their own. One per app, made when the
 * app is built, after `startTelemetry`: it takes its tracer from the provider registered then.
 */
export function httpServerInstrumentation(): FastifyOtelInstrumentation {
  return new FastifyOtelInstrumentation({
    instrumentHooks: false,
    ignorePaths: ({ url }) => isQuiet(url),
    requestHook: (span, request) => span.updateName(spanName(request)),
    // The handler's span (which carries the request's context past the body parsing) would be named
    // after the plugin's source text for anonymous plugins.
    lifecycleHook: (span, info) => span.updateName(`${info.hookName} ${spanName(info.request)}`),
  });
}

const spanName = (request: FastifyRequest) =>
  request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : request.method;

/**
 * Fastify's request logs, except "incoming request": Fastify writes it before any hook runs, so before
 * the request's span exists; `httpObservability` writes it once it does. Probes are not logged.
 */
export class TracedRequestLogs extends LogController {
  override isLogDisabled(request: FastifyRequest): boolean {
    return isQuiet(request.url) || super.isLogDisabled(request);
  }

  override incomingRequest(): void {}
}

/**
 * What a Fastify app needs for observability, registered before its routes: the server span of each
 * request, request logs that carry its trace and span ids (the app is created with
 * `logController: new TracedRequestLogs()`), and `/metrics`.
 */
export async function httpObservability(app: FastifyInstance): Promise<void> {
  // First, so that its hook opens the span before the ones below run.
  await app.register(httpServerInstrumentation().plugin());
  app.addHook('onRequest', (request, reply, next) => {
    if (isQuiet(request.url)) return next();
    // Every later line of the request (Fastify's "request completed" too) goes through these loggers.
    const context = request.opentelemetry().span?.spanContext();
    if (context && trace.isSpanContextValid(context)) {
      const { traceId, spanId } = context;
      const log = withTraceIds(request.log, traceId, spanId);
      request.log = log;
      reply.log = log;
    }
    request.log.info({ req: request }, 'incoming request');
    next();
  });
  app.get('/metrics', { schema: { hide: true } }, (request, reply) => {
    reply.hijack();
    serveMetrics(request.raw, reply.raw);
  });
}
// Hooks and the route belong to the app itself, not to an encapsulated child context.
Object.assign(httpObservability, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'switchboard-observability',
});
