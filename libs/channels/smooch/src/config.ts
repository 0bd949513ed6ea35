import { type Static, Type } from 'typebox';

/**
 * The Sunshine Conversations API host (US region). Not client configuration: the connector passes the
 * base URL (`https://api.eu-1.smooch.io` for the EU region, `https://<subdomain>.zendesk.com/sc` for
 * Zendesk accounts, a fake in tests).
 */
export const smoochDefaultBaseUrl = 'https://api.smooch.io';

/**
 * A client's Sunshine Conversations app: an API key (id + secret, Basic auth on the v2 API) and the
 * secret of the v2 webhook, which Sunshine Conversations sends back in `X-API-Key` on every call.
 */
export const SmoochConfig = Type.Object({
  appId: Type.String({ minLength: 1, description: 'Sunshine Conversations app id' }),
  keyId: Type.String({ minLength: 1, description: 'API key id (app_… or act_…)' }),
  keySecret: Type.String({ minLength: 1, secret: true, description: 'API key secret' }),
  webhookSecret: Type.String({
    minLength: 1,
    secret: true,
    description: 'Secret of the v2 webhook (X-API-Key)',
  }),
});
export type SmoochConfig = Static<typeof SmoochConfig>;

export const smoochSecretFields = ['keySecret', 'webhookSecret'] as const;
