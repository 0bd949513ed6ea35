/** The Alias dialect's OAuth 2.0 scheme in the OpenAPI document: routes name the scope they need. */
export const aliasSecurityScheme = {
  type: 'oauth2',
  description: 'Access token from POST /oauth2/token (client id and client token as credentials)',
  flows: {
    clientCredentials: {
      tokenUrl: '/oauth2/token',
      scopes: {
        'client:connections': 'List and fetch connections',
        'client:send': 'Send messages (with the channel scope)',
        'client:outbound_messages': 'List and fetch outbound messages and their deliveries',
        contact: "See connections' channels; fetch one delivery",
        nickname: "See connections' nicknames",
        'channel:*': 'Send on every channel (or channel:<name> for one)',
      },
    },
  },
} as const;
