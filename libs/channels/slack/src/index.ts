export { slackAdapter } from './adapter.js';
export { SlackConfig } from './config.js';
export { slackSignature, slackTimestampToleranceSeconds } from './verify.js';
