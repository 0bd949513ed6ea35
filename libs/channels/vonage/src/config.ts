import { type Static, Type } from 'typebox';

/**
 * A client's Vonage account on the Messages API v1. Outbound requests use HTTP Basic with the API key and
 * secret: a JWT would have to be signed with the application's private key at send time, which needs a
 * clock and randomness that rendering does not have. Inbound and status webhooks are signed with the
 * account's signature secret (HS256 JWT); set the Vonage application's webhooks to our gateway URL.
 */
export const VonageConfig = Type.Object({
  apiKey: Type.String({ minLength: 1 }),
  apiSecret: Type.String({ minLength: 1, secret: true }),
  signatureSecret: Type.String({ minLength: 1, secret: true }),
  /** The Messages API channel replies go out on (one per configuration); SMS by default. */
  channel: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('mms'), Type.Literal('whatsapp')])),
  /** Our number (digits, no `+`), used when the endpoint's identity is `*`. */
  fromNumber: Type.Optional(Type.String({ minLength: 1 })),
});
export type VonageConfig = Static<typeof VonageConfig>;

export const vonageSecretFields = ['apiSecret', 'signatureSecret'] as const;
