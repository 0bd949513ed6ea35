import type { ChannelAdapter } from '@switchboard/contracts';
import { VonageConfig, vonageSecretFields } from './config.js';
import { interpretVonageSend } from './interpret.js';
import { parseVonage } from './parse.js';
import { renderVonage } from './render.js';
import { verifyVonage } from './verify.js';

/**
 * Vonage Messages API v1 (SMS, MMS, WhatsApp). Endpoint convention: identity = our number (`to` of an
 * inbound message), sender = their number (`from`), thread `*`.
 */
export const vonageAdapter: ChannelAdapter<VonageConfig> = {
  name: 'vonage',
  configSchema: VonageConfig,
  secretFields: vonageSecretFields,
  supportsTyping: false,
  handshake: () => null,
  verify: verifyVonage,
  parse: (request) => parseVonage(request),
  acknowledge: () => ({ status: 200 }),
  render: renderVonage,
  renderTyping: () => null,
  interpretSend: interpretVonageSend,
};
