import { classifyHttpAnswer, isRecord, parseJson, retryAfterMs } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * Graph API error codes that mean "slow down" or "try again later" although Meta answers them with
 * HTTP 400: 4 application rate limit, 17 user rate limit, 32 page rate limit, 613 calls-per-time
 * limit, 80006 Messenger rate limit; 1 and 2 are temporary service errors, 1200 a temporary send
 * failure.
 */
const rateLimitCodes = new Set([4, 17, 32, 613, 80006]);
const transientCodes = new Set([1, 2, 1200]);

/** Success is `{ recipient_id, message_id }`; errors are `{ error: { message, type, code, … } }`. */
export function interpretMessengerAnswer(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  const reason =
    message === undefined ? undefined : code === undefined ? message : `${message} (code ${code})`;
  if (response.status >= 400 && code !== undefined) {
    const delay = retryAfterMs(response.headers);
    if (rateLimitCodes.has(code)) {
      return {
        kind: 'retry',
        reason: `rate limited: ${reason}`,
        ...(delay === undefined ? {} : { retryAfterMs: delay }),
      };
    }
    if (transientCodes.has(code) || error?.is_transient === true)
      return { kind: 'retry', reason: reason ?? 'transient' };
  }
  const messageId = isRecord(body) && typeof body.message_id === 'string' ? body.message_id : undefined;
  return classifyHttpAnswer(response, {
    ...(messageId === undefined ? {} : { providerMessageId: messageId }),
    ...(reason === undefined ? {} : { errorReason: reason }),
  });
}
