import type { ChannelAdapter } from '@switchboard/contracts';
import { TwilioConfig, twilioSecretFields } from './config.js';
import { interpretTwilioSend } from './interpret.js';
import { parseTwilio } from './parse.js';
import { renderTwilio } from './render.js';
import { verifyTwilio } from './verify.js';

/**
 * Twilio Programmable Messaging. Endpoint convention: identity = our number (`To` of an inbound
 * message), sender = their number (`From`), thread `*`. WhatsApp numbers keep their `whatsapp:` prefix,
 * so a reply goes out on the channel the message came in on.
 */
export const twilioAdapter: ChannelAdapter<TwilioConfig> = {
  name: 'twilio',
  configSchema: TwilioConfig,
  secretFields: twilioSecretFields,
  supportsTyping: false,
  handshake: () => null,
  verify: (request, config) => verifyTwilio(request, config),
  parse: (request) => parseTwilio(request),
  // An empty TwiML document: Twilio wants XML and sends nothing back on its own.
  acknowledge: () => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
  }),
  render: renderTwilio,
  renderTyping: () => null,
  interpretSend: interpretTwilioSend,
};
