import type { ChannelAdapter } from '@switchboard/contracts';
import { TeamsConfig, type TeamsSendConfig, teamsSecretFields } from './config.js';
import { interpretTeamsAnswer } from './interpret.js';
import { parseTeamsActivity } from './parse.js';
import { renderTeamsPayload, renderTeamsTyping } from './render.js';
import { verifyTeamsRequest } from './verify.js';

/**
 * Microsoft Teams through Bot Framework. Endpoint convention: identity `*`, sender = the person's
 * Teams user id (`29:…`), thread = the conversation id. Inbound verification needs the Bot
 * Connector's signing keys in the verify context (`TeamsVerifyContext.jwks`) or the config; outbound
 * requests need the connector's bearer token in the config (`TeamsSendConfig.accessToken`).
 */
export const teamsAdapter: ChannelAdapter<TeamsSendConfig> = {
  name: 'teams',
  configSchema: TeamsConfig,
  secretFields: teamsSecretFields,
  supportsTyping: true,
  handshake: () => null,
  verify: (request, config, ctx) => verifyTeamsRequest(request, config, ctx),
  parse: (request) => parseTeamsActivity(request),
  acknowledge: () => ({ status: 200 }),
  render: (payload, address, config) => renderTeamsPayload(payload, address, config),
  renderTyping: (address, config, state) => renderTeamsTyping(address, config, state),
  interpretSend: (response) => interpretTeamsAnswer(response),
};
