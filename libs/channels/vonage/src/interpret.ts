import { classifyHttpAnswer, parseJson, stringField } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * The Messages API answers 202 `{ message_uuid }`, or an RFC 7807 problem `{ type, title, detail,
 * instance }`; the reason is the title with its detail.
 */
export function interpretVonageSend(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const uuid = stringField(body, 'message_uuid');
  const title = stringField(body, 'title');
  const detail = stringField(body, 'detail');
  const errorReason = [title, detail].filter(Boolean).join(': ');
  return classifyHttpAnswer(response, {
    ...(uuid === undefined ? {} : { providerMessageId: uuid }),
    ...(errorReason.length === 0 ? {} : { errorReason }),
  });
}
