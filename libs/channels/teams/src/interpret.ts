import { classifyHttpAnswer, isRecord, parseJson, retryAfterMs } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * Teams asks bots to retry 412, 429, 502 and 504 with backoff (429 after Retry-After); other 4xx are
 * final. Success is a ResourceResponse `{ id }`; errors are `{ error: { code, message } }`, except the
 * connector's 401, which is `{ message: "Authorization has been denied for this request." }`.
 */
export function interpretTeamsAnswer(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const reason = errorReason(body);
  if (response.status === 412) {
    const delay = retryAfterMs(response.headers);
    return {
      kind: 'retry',
      reason: reason ?? 'HTTP 412',
      ...(delay === undefined ? {} : { retryAfterMs: delay }),
    };
  }
  const id = isRecord(body) && typeof body.id === 'string' && body.id.length > 0 ? body.id : undefined;
  return classifyHttpAnswer(response, {
    ...(id === undefined ? {} : { providerMessageId: id }),
    ...(reason === undefined ? {} : { errorReason: reason }),
  });
}

function errorReason(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error)) {
    const { code, message } = body.error;
    if (typeof message === 'string') return typeof code === 'string' ? `${code}: ${message}` : message;
    if (typeof code === 'string') return code;
  }
  return typeof body.message === 'string' ? body.message : undefined;
}
