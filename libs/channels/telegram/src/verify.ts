import { constantTimeEqual, header } from '@switchboard/channel-common';
import type { InboundRequest, VerifyResult } from '@switchboard/contracts';
import { type TelegramConfig, telegramWebhookSecret } from './config.js';

export const secretTokenHeader = 'X-Telegram-Bot-Api-Secret-Token';

/**
 * Telegram's only webhook authentication: the `secret_token` set with `setWebhook`, echoed in a header.
 * There is no signature over the body and no timestamp; replays are absorbed by `update_id` dedupe.
 */
export function verifyTelegram(request: InboundRequest, config: TelegramConfig): VerifyResult {
  const presented = header(request, secretTokenHeader);
  if (presented === undefined) return { ok: false, status: 401, reason: `missing ${secretTokenHeader}` };
  if (!constantTimeEqual(presented, telegramWebhookSecret(config))) {
    return { ok: false, status: 401, reason: `wrong ${secretTokenHeader}` };
  }
  return { ok: true };
}
