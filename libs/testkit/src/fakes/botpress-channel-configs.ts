/**
 * Each channel's configuration as a Botpress client syncs it: the Botpress Messaging server's (1.x)
 * field names, `version` and `enabled` included, plus the fields that server takes for a channel and
 * no Switchboard adapter reads (Slack's `useRTM`, Messenger's `appId`/`pageId`, Vonage's
 * `applicationId`/`privateKey`/`useTestingApi`). E-mail is Switchboard's own. Every secret is a
 * recognisable string (`…-secret…`), so a test can look for it where it must not be.
 */
export const botpressChannelConfigs = {
  telegram: { version: '1.0.0', enabled: true, botToken: '123456789:AAH-secret_token' },
  slack: { version: '1.0.0', botToken: 'xoxb-1-secret', signingSecret: 'signing-secret', useRTM: false },
  twilio: { version: '1.0.0', accountSID: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'auth-secret' },
  vonage: {
    version: '1.0.0',
    apiKey: 'key',
    apiSecret: 'api-secret',
    signatureSecret: 'signature-secret',
    applicationId: 'app-id',
    privateKey: '-----BEGIN PRIVATE KEY----- private-secret',
    useTestingApi: false,
  },
  messenger: {
    version: '1.0.0',
    appId: 'app-id',
    appSecret: 'app-secret',
    verifyToken: 'verify-secret',
    pageId: 'page-id',
    accessToken: 'page-token-secret',
  },
  teams: { version: '1.0.0', appId: 'app-id', appPassword: 'app-password-secret', tenantId: 'tenant' },
  smooch: {
    version: '1.0.0',
    appId: 'app-id',
    keyId: 'app_key',
    keySecret: 'key-secret',
    webhookSecret: 'webhook-secret',
  },
  email: {
    from: 'Acme <bot@acme.test>',
    host: 'smtp.acme.test',
    port: 587,
    username: 'bot',
    password: 'smtp-secret',
  },
} as const satisfies Record<string, Record<string, unknown>>;

/** The secret values of `botpressChannelConfigs`, by channel. */
export const botpressChannelSecrets: Record<keyof typeof botpressChannelConfigs, string[]> = {
  telegram: ['123456789:AAH-secret_token'],
  slack: ['xoxb-1-secret', 'signing-secret'],
  twilio: ['auth-secret'],
  vonage: ['api-secret', 'signature-secret', 'private-secret'],
  messenger: ['app-secret', 'verify-secret', 'page-token-secret'],
  teams: ['app-password-secret'],
  smooch: ['key-secret', 'webhook-secret'],
  email: ['smtp-secret'],
};
