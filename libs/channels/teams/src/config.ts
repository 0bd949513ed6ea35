import { type Static, Type } from 'typebox';

/**
 * Where Bot Framework lives. None of these is client configuration: the connector passes the base URL
 * it calls (the Teams service URL below in production, a fake in tests), and the gateway fetches the
 * signing keys from the OpenID metadata.
 */
/** The global Teams service URL Microsoft documents for proactive messages (public cloud). */
export const teamsDefaultServiceUrl = 'https://smba.trafficmanager.net/teams';
/** Microsoft Entra ID, which issues the bot's outbound tokens (client credentials). */
export const teamsLoginBaseUrl = 'https://login.microsoftonline.com';
/** OpenID metadata of the Bot Connector; its `jwks_uri` lists the keys that sign inbound activities. */
export const botFrameworkOpenIdMetadataUrl =
  'https://login.botframework.com/v1/.well-known/openidconfiguration';
/** The `iss` of every token the Bot Connector sends to a bot. */
export const botFrameworkIssuer = 'https://api.botframework.com';
/** The scope a bot asks for to call the Bot Connector. */
export const botFrameworkScope = 'https://api.botframework.com/.default';

/** A JSON Web Key as Bot Framework publishes it: an RSA key, with the channels it is endorsed for. */
export const BotFrameworkJwk = Type.Object(
  {
    kty: Type.String(),
    kid: Type.String(),
    n: Type.String(),
    e: Type.String(),
    endorsements: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);
export type BotFrameworkJwk = Static<typeof BotFrameworkJwk>;

export const JsonWebKeySet = Type.Object({ keys: Type.Array(BotFrameworkJwk) });
export type JsonWebKeySet = Static<typeof JsonWebKeySet>;

/**
 * A client's Teams bot (an Azure Bot registration). `appId` is the audience of inbound tokens;
 * `appId` + `appPassword` obtain the outbound token (from the `tenantId` tenant for a single-tenant
 * bot, `botframework.com` otherwise). `jwks` pins signing keys for set-ups the gateway does not fetch
 * keys for (tests, sovereign clouds); keys passed in the verify context win.
 */
export const TeamsConfig = Type.Object({
  appId: Type.String({ minLength: 1, description: 'Microsoft App ID of the bot' }),
  appPassword: Type.String({ minLength: 1, secret: true, description: 'Client secret of the bot app' }),
  tenantId: Type.Optional(Type.String({ minLength: 1, description: 'Tenant of a single-tenant bot' })),
  jwks: Type.Optional(JsonWebKeySet),
});
export type TeamsConfig = Static<typeof TeamsConfig>;

/**
 * What render needs on top of the client's configuration: the bearer token the connector obtained
 * (`renderTeamsTokenRequest`) and refreshes before it expires. Never stored, never synced.
 */
export type TeamsSendConfig = TeamsConfig & { accessToken?: string };

export const teamsSecretFields = ['appPassword'] as const;
