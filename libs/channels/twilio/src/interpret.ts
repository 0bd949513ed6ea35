import { classifyHttpAnswer, isRecord, parseJson, stringField } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * Twilio answers 201 with the Message resource (`sid`: our provider message id) or an error body
 * `{ code, message, more_info, status }`; the reason is Twilio's message with its error code.
 */
export function interpretTwilioSend(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const sid = stringField(body, 'sid');
  const message = stringField(body, 'message');
  const code =
    isRecord(body) && (typeof body.code === 'number' || typeof body.code === 'string')
      ? body.code
      : undefined;
  const errorReason =
    message === undefined ? undefined : code === undefined ? message : `${message} (Twilio error ${code})`;
  return classifyHttpAnswer(response, {
    ...(sid === undefined ? {} : { providerMessageId: sid }),
    ...(errorReason === undefined ? {} : { errorReason }),
  });
}
