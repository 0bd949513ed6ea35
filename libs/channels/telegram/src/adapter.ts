import { isRecord, parseJson } from '@switchboard/channel-common';
import type { ChannelAdapter, DirectResponse, InboundRequest } from '@switchboard/contracts';
import { TelegramConfig, telegramSecretFields } from './config.js';
import { interpretTelegramSend } from './interpret.js';
import { parseTelegram } from './parse.js';
import { renderTelegram, renderTelegramTyping } from './render.js';
import { verifyTelegram } from './verify.js';

/**
 * Telegram Bot API. Endpoint convention: identity `*`, sender = `from.id`, thread = `chat.id`.
 * Inbound: webhooks authenticated by the secret token header, `update_id` as the dedupe key.
 */
export const telegramAdapter: ChannelAdapter<TelegramConfig> = {
  name: 'telegram',
  configSchema: TelegramConfig,
  secretFields: telegramSecretFields,
  supportsTyping: true,
  // Telegram has no set-up handshake: the webhook is registered with setWebhook.
  handshake: () => null,
  verify: (request, config) => verifyTelegram(request, config),
  parse: (request) => parseTelegram(request),
  acknowledge: acknowledgeTelegram,
  render: renderTelegram,
  renderTyping: renderTelegramTyping,
  interpretSend: interpretTelegramSend,
};

/**
 * A bare 200, except for a pressed inline button: Telegram lets the webhook answer carry one Bot API
 * call, and `answerCallbackQuery` there stops the button's loading spinner without an extra request.
 */
function acknowledgeTelegram(request: InboundRequest): DirectResponse {
  const update = parseJson(request.rawBody);
  const callback = isRecord(update) ? update.callback_query : undefined;
  if (!isRecord(callback) || typeof callback.id !== 'string') return { status: 200 };
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: callback.id }),
  };
}
