import type { ChannelAdapter } from '@switchboard/contracts';
import { SlackConfig, slackSecretFields } from './config.js';
import { interpretSlackSend } from './interpret.js';
import { parseSlack, slackHandshake } from './parse.js';
import { renderSlack } from './render.js';
import { verifySlack } from './verify.js';

/**
 * Slack Events API and interactivity. Endpoint convention: identity `*`, sender = user id, thread =
 * channel id. Slack's `url_verification` is signed like every other request: verify it first.
 */
export const slackAdapter: ChannelAdapter<SlackConfig> = {
  name: 'slack',
  configSchema: SlackConfig,
  secretFields: slackSecretFields,
  // Bots cannot show a typing indicator through the Web API.
  supportsTyping: false,
  handshake: (request) => slackHandshake(request),
  verify: verifySlack,
  parse: (request) => parseSlack(request),
  // Slack wants any 2xx within three seconds, an empty body for events and interactions alike.
  acknowledge: () => ({ status: 200 }),
  render: renderSlack,
  renderTyping: () => null,
  interpretSend: interpretSlackSend,
};
