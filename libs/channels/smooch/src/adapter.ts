import type { ChannelAdapter } from '@switchboard/contracts';
import { SmoochConfig, smoochSecretFields } from './config.js';
import { interpretSmoochAnswer } from './interpret.js';
import { parseSmoochWebhook } from './parse.js';
import { renderSmoochPayload, renderSmoochTyping } from './render.js';
import { verifySmoochRequest } from './verify.js';

/**
 * Sunshine Conversations (Zendesk, formerly Smooch), API v2. Endpoint convention: identity `*`,
 * sender = the Sunshine Conversations user id, thread = the conversation id.
 */
export const smoochAdapter: ChannelAdapter<SmoochConfig> = {
  name: 'smooch',
  configSchema: SmoochConfig,
  secretFields: smoochSecretFields,
  supportsTyping: true,
  handshake: () => null,
  verify: (request, config) => verifySmoochRequest(request, config),
  parse: (request) => parseSmoochWebhook(request),
  acknowledge: () => ({ status: 200 }),
  render: (payload, address, config) => renderSmoochPayload(payload, address, config),
  renderTyping: (address, config, state) => renderSmoochTyping(address, config, state),
  interpretSend: (response) => interpretSmoochAnswer(response),
};
