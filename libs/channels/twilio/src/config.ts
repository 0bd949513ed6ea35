import { type Static, Type } from 'typebox';

/**
 * A client's Twilio account (Programmable Messaging: SMS, MMS, WhatsApp). Requests authenticate with
 * the Account SID and Auth Token (HTTP Basic), and Twilio signs its webhooks with the same Auth Token.
 * Field names are the Botpress Messaging server's (`accountSID`, `authToken`), so a Botpress client's
 * channel configuration syncs unchanged.
 */
export const TwilioConfig = Type.Object({
  accountSID: Type.String({
    pattern: '^AC[0-9a-fA-F]{32}$',
    description: 'Account SID: AC followed by 32 hexadecimal digits',
  }),
  authToken: Type.String({ minLength: 1, secret: true }),
  /** Our number (E.164, or `whatsapp:+…`), used when the endpoint's identity is `*`. */
  fromNumber: Type.Optional(Type.String({ minLength: 1 })),
  /** A Messaging Service to send from instead of a number, when neither identity nor `fromNumber` is set. */
  messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
  /** Where Twilio posts delivery status callbacks (our gateway's webhook URL for this channel). */
  statusCallbackUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Send media as links in the text (numbers without MMS, e.g. SMS outside the US and Canada). */
  mediaAsLinks: Type.Optional(Type.Boolean()),
});
export type TwilioConfig = Static<typeof TwilioConfig>;

export const twilioSecretFields = ['authToken'] as const;
