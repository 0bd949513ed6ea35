import { hmac } from '@switchboard/channel-common';
import { type Static, Type } from 'typebox';

/**
 * A client's Telegram bot. The Bot API base URL is not configuration of the client: the connector
 * passes it (https://api.telegram.org in production, a fake in tests); paths carry the token.
 */
export const TelegramConfig = Type.Object({
  botToken: Type.String({ pattern: '^[0-9]+:[A-Za-z0-9_-]+$', secret: true }),
  /** The `secret_token` given to `setWebhook`; derived from the bot token when not set (see below). */
  webhookSecret: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$', secret: true }),
  ),
});
export type TelegramConfig = Static<typeof TelegramConfig>;

export const telegramSecretFields = ['botToken', 'webhookSecret'] as const;

/**
 * The secret Telegram must echo in `X-Telegram-Bot-Api-Secret-Token`. Without a configured one, a
 * secret is derived from the bot token (HMAC-SHA256, hex: 64 characters Telegram accepts), so a
 * webhook is never accepted unsigned; `renderSetWebhook` registers the same value.
 */
export function telegramWebhookSecret(config: TelegramConfig): string {
  return config.webhookSecret ?? hmac('sha256', config.botToken, 'switchboard telegram webhook', 'hex');
}
