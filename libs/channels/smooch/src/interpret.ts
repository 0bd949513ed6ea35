import { classifyHttpAnswer, isRecord, parseJson } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * Success is 201 `{ messages: [{ id, … }] }` (200 `{}` for an activity); errors are
 * `{ errors: [{ code, title }] }`. 429 is retried (after Retry-After when given), 5xx too.
 */
export function interpretSmoochAnswer(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const first = isRecord(body) && Array.isArray(body.messages) ? body.messages[0] : undefined;
  const messageId = isRecord(first) && typeof first.id === 'string' ? first.id : undefined;
  const reason = errorReason(body);
  return classifyHttpAnswer(response, {
    ...(messageId === undefined ? {} : { providerMessageId: messageId }),
    ...(reason === undefined ? {} : { errorReason: reason }),
  });
}

function errorReason(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.errors)) return undefined;
  const reasons = body.errors.filter(isRecord).map((error) => {
    const code = typeof error.code === 'string' ? error.code : undefined;
    const title = typeof error.title === 'string' ? error.title : undefined;
    return code && title ? `${code}: ${title}` : (title ?? code ?? 'error');
  });
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
