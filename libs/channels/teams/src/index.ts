export { teamsAdapter } from './adapter.js';
export {
  BotFrameworkJwk,
  botFrameworkIssuer,
  botFrameworkOpenIdMetadataUrl,
  botFrameworkScope,
  JsonWebKeySet,
  TeamsConfig,
  type TeamsSendConfig,
  teamsDefaultServiceUrl,
  teamsLoginBaseUrl,
  teamsSecretFields,
} from './config.js';
export { teamsChoiceField } from './parse.js';
export { interpretTeamsTokenAnswer, renderTeamsTokenRequest, type TeamsTokenOutcome } from './token.js';
export { type TeamsVerifyContext, verifyTeamsRequest } from './verify.js';
