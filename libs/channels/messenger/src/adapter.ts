import type { ChannelAdapter } from '@switchboard/contracts';
import { MessengerConfig, messengerSecretFields } from './config.js';
import { interpretMessengerAnswer } from './interpret.js';
import { parseMessengerWebhook } from './parse.js';
import { renderMessengerPayload, renderMessengerTyping } from './render.js';
import { answerMessengerHandshake, verifyMessengerRequest } from './verify.js';

/**
 * Facebook Messenger (a page's conversations). Endpoint convention: identity `*`, sender = the
 * person's page-scoped id (PSID), thread `*`.
 */
export const messengerAdapter: ChannelAdapter<MessengerConfig> = {
  name: 'messenger',
  configSchema: MessengerConfig,
  secretFields: messengerSecretFields,
  supportsTyping: true,
  handshake: (request, config) => answerMessengerHandshake(request, config),
  verify: (request, config) => verifyMessengerRequest(request, config),
  parse: (request) => parseMessengerWebhook(request),
  // Meta wants a bare 200 quickly; anything else and it retries, then disables the webhook.
  acknowledge: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'EVENT_RECEIVED' }),
  render: (payload, address, config) => renderMessengerPayload(payload, address, config),
  renderTyping: (address, config, state) => renderMessengerTyping(address, config, state),
  interpretSend: (response) => interpretMessengerAnswer(response),
};
