import { type Static, Type } from 'typebox';

/** A client's Slack app: the bot token it posts with and the signing secret Slack signs requests with. */
export const SlackConfig = Type.Object({
  botToken: Type.String({ pattern: '^xox[a-z]-', secret: true }),
  signingSecret: Type.String({ minLength: 1, secret: true }),
});
export type SlackConfig = Static<typeof SlackConfig>;

export const slackSecretFields = ['botToken', 'signingSecret'] as const;
