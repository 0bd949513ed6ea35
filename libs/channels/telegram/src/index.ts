export { telegramAdapter } from './adapter.js';
export { TelegramConfig, telegramWebhookSecret } from './config.js';
export { renderTelegramSetWebhook } from './render.js';
export { secretTokenHeader as telegramSecretTokenHeader } from './verify.js';
