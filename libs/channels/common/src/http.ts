import type { InboundRequest, ProviderResponse, SendOutcome } from '@switchboard/contracts';

/** A request header by name (the gateway lower-cases names; providers' docs do not). */
export function header(request: Pick<InboundRequest, 'headers'>, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

/** The body as JSON, or undefined when it is not JSON (a provider error page, an empty body). */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field of a JSON object, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

/**
 * `Retry-After` in milliseconds. Only the delta-seconds form is read: the HTTP-date form would need a
 * clock, and the providers we speak to send seconds.
 */
export function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['retry-after'] ?? headers['Retry-After'];
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

export interface AnswerDetails {
  /** The provider's message id read from a successful answer. */
  providerMessageId?: string;
  /** The provider's own error text read from a failed answer. */
  errorReason?: string;
  /** A retry delay the provider gave in its body (Telegram's `retry_after`), overriding `Retry-After`. */
  retryAfterMs?: number;
}

/**
 * The usual reading of an HTTP answer: 2xx sent; 429 retry after the provider's delay; 408 and 5xx
 * retry; every other status failed with the provider's reason (or the status when it gave none).
 */
export function classifyHttpAnswer(response: ProviderResponse, details: AnswerDetails): SendOutcome {
  const { status } = response;
  const reason = details.errorReason ?? `HTTP ${status}`;
  if (status >= 200 && status < 300) {
    return details.providerMessageId === undefined
      ? { kind: 'sent' }
      : { kind: 'sent', providerMessageId: details.providerMessageId };
  }
  if (status === 429) {
    const delay = details.retryAfterMs ?? retryAfterMs(response.headers);
    return delay === undefined
      ? { kind: 'retry', reason: `rate limited: ${reason}` }
      : { kind: 'retry', reason: `rate limited: ${reason}`, retryAfterMs: delay };
  }
  if (status === 408 || status >= 500) return { kind: 'retry', reason };
  return { kind: 'failed', reason };
}
