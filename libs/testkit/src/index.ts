export { testDatabaseUrl, testNatsUrl, testRunId } from './env.js';
export { botpressChannelConfigs, botpressChannelSecrets } from './fakes/botpress-channel-configs.js';
export {
  type FakeAnswer,
  type HttpFake,
  type RecordedRequest,
  type ScriptedFailure,
  startHttpFake,
} from './fakes/http-fake.js';
export { type MessengerFake, type MessengerFakeOptions, startMessengerFake } from './fakes/messenger.js';
export { sendToFake } from './fakes/send-to-fake.js';
export { type SlackFake, startSlackFake } from './fakes/slack.js';
export {
  type SmoochFake,
  type SmoochFakeOptions,
  type SmoochSentMessage,
  startSmoochFake,
} from './fakes/smooch.js';
export {
  type ReceivedMail,
  type ReceivedMailAttachment,
  type SmtpFailure,
  type SmtpFake,
  type SmtpFakeOptions,
  startSmtpFake,
} from './fakes/smtp.js';
export {
  otherSigningKey,
  startTeamsFake,
  type TeamsActivityRecord,
  type TeamsFake,
  type TeamsFakeOptions,
  type TeamsJwk,
} from './fakes/teams.js';
export { startTelegramFake, type TelegramFake } from './fakes/telegram.js';
export { startTwilioFake, type TwilioFake } from './fakes/twilio.js';
export { startVonageFake, type VonageFake } from './fakes/vonage.js';
export { createTestNats, type TestNats } from './nats.js';
export {
  createTestDatabase,
  type Migrate,
  prepareTemplate,
  sweepRunDatabases,
  type TestDatabase,
} from './postgres.js';
