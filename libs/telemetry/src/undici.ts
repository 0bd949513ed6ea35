import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/**
 * Client spans for outgoing `fetch` and undici requests (provider calls, webhook deliveries), with the
 * trace context injected into their headers. Only requests made inside a traced operation get a span.
 * A URL can carry a credential (Telegram's `/bot<token>/…`, an API key in the query), so only the
 * origin is recorded, never the path or the query.
 */
export function httpClientInstrumentation(): UndiciInstrumentation {
  return new UndiciInstrumentation({
    requireParentforSpans: true,
    startSpanHook: (request) => ({
      'url.full': `${request.origin}/…`,
      'url.path': '…',
      'url.query': '',
    }),
  });
}
