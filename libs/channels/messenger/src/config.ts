import { type Static, Type } from 'typebox';

/** The Graph API host the Send API lives on. Not client configuration: the connector passes the base URL. */
export const messengerDefaultBaseUrl = 'https://graph.facebook.com';
export const messengerDefaultApiVersion = 'v23.0';

/**
 * A client's Messenger page: the app secret signs webhooks (`X-Hub-Signature-256`), the verify token
 * answers the subscription handshake, and the page access token authorizes the Send API. Field names
 * are the Botpress Messaging server's (`accessToken` is the page access token), so a Botpress client's
 * channel configuration syncs unchanged; its `appId` and `pageId` are not needed here.
 */
export const MessengerConfig = Type.Object({
  appSecret: Type.String({
    minLength: 1,
    secret: true,
    description: "The Meta app's secret: signs webhooks",
  }),
  accessToken: Type.String({
    minLength: 1,
    secret: true,
    description: 'Page access token for the Send API',
  }),
  verifyToken: Type.String({
    minLength: 1,
    secret: true,
    description: 'The token set in the app dashboard, echoed by the subscription handshake',
  }),
  apiVersion: Type.Optional(
    Type.String({ pattern: '^v\\d+\\.\\d+$', description: 'Graph API version, e.g. v23.0' }),
  ),
});
export type MessengerConfig = Static<typeof MessengerConfig>;

export const messengerSecretFields = ['appSecret', 'accessToken', 'verifyToken'] as const;
