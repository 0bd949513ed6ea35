import { classifyHttpAnswer, isRecord, parseJson } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';
import { telegramMessageId } from './parse.js';

/**
 * Bot API answers are `{ ok, result }` or `{ ok: false, error_code, description, parameters }`. The
 * HTTP status mirrors `error_code`; a 429 carries `parameters.retry_after` (seconds), which wins over
 * any `Retry-After` header. The message id is `<chat id>:<message id>` as in `parse`.
 */
export function interpretTelegramSend(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const answer = isRecord(body) ? body : {};
  const errorCode = typeof answer.error_code === 'number' ? answer.error_code : undefined;
  // A 200 that says `ok: false` is read by its error code.
  const status = answer.ok === false && errorCode !== undefined ? errorCode : response.status;
  const description = typeof answer.description === 'string' ? answer.description : undefined;
  const parameters = isRecord(answer.parameters) ? answer.parameters : {};
  const retryAfter = typeof parameters.retry_after === 'number' ? parameters.retry_after * 1000 : undefined;
  const migratedTo = parameters.migrate_to_chat_id;
  const errorReason =
    description === undefined
      ? undefined
      : migratedTo === undefined
        ? description
        : `${description} (group migrated to chat ${String(migratedTo)})`;

  return classifyHttpAnswer(
    { ...response, status },
    {
      ...(errorReason === undefined ? {} : { errorReason }),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      ...sentMessageId(answer.result),
    },
  );
}

function sentMessageId(result: unknown): { providerMessageId?: string } {
  // sendMediaGroup answers an array of messages: the first one stands for the send.
  const message = Array.isArray(result) ? result[0] : result;
  if (!isRecord(message) || typeof message.message_id !== 'number' || !isRecord(message.chat)) return {};
  const chatId = message.chat.id;
  return typeof chatId === 'number'
    ? { providerMessageId: telegramMessageId(chatId, message.message_id) }
    : {};
}
