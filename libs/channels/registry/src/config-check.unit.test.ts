import { botpressChannelConfigs } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { adapterFor, type KnownChannel, knownChannels } from './adapters.js';
import { channelConfigFields, checkChannelConfig, checkChannelConfigs } from './config-check.js';

const hex32 = '0123456789abcdef'.repeat(2);
const botpressConfigs: Record<KnownChannel, Record<string, unknown>> = botpressChannelConfigs;

/** What the adapters keep of each: their schema's fields. */
const kept: Record<KnownChannel, Record<string, unknown>> = {
  telegram: { botToken: '123456789:AAH-secret_token' },
  slack: { botToken: 'xoxb-1-secret', signingSecret: 'signing-secret' },
  twilio: { accountSID: `AC${hex32}`, authToken: 'auth-secret' },
  vonage: { apiKey: 'key', apiSecret: 'api-secret', signatureSecret: 'signature-secret' },
  messenger: { appSecret: 'app-secret', verifyToken: 'verify-secret', accessToken: 'page-token-secret' },
  teams: { appId: 'app-id', appPassword: 'app-password-secret', tenantId: 'tenant' },
  smooch: { appId: 'app-id', keyId: 'app_key', keySecret: 'key-secret', webhookSecret: 'webhook-secret' },
  email: {
    from: 'Acme <bot@acme.test>',
    host: 'smtp.acme.test',
    port: 587,
    username: 'bot',
    password: 'smtp-secret',
  },
};

const without = (config: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(config).filter(([name]) => name !== field));

/** A value of the wrong JSON type for a field of this schema type. */
const wrongTypeFor = (type: unknown) => (type === 'string' ? 12345 : 'not-a-number-or-boolean');

const issuesOf = (name: string, value: unknown) => {
  const result = checkChannelConfig(name, value);
  return result.ok ? [] : result.issues;
};

describe('channel configuration check', () => {
  it('has a Botpress configuration for every channel it knows', () => {
    expect(Object.keys(botpressConfigs).sort()).toEqual([...knownChannels].sort());
  });

  for (const channel of knownChannels) {
    describe(channel, () => {
      it("accepts a Botpress client's configuration unchanged, keeping only what the adapter reads", () => {
        const result = checkChannelConfig(channel, botpressConfigs[channel]);
        expect(result).toEqual({ ok: true, channel, enabled: true, config: kept[channel] });
      });

      it('keeps a disabled channel, configured but not in use', () => {
        const result = checkChannelConfig(channel, { ...botpressConfigs[channel], enabled: false });
        expect(result).toMatchObject({ ok: true, enabled: false, config: kept[channel] });
      });

      it('marks exactly its secret fields secret in the schema', () => {
        const adapter = adapterFor(channel);
        const marked = Object.entries(adapter?.configSchema.properties ?? {})
          .filter(([, schema]) => (schema as { secret?: unknown }).secret === true)
          .map(([name]) => name);
        expect(marked.sort()).toEqual([...(adapter?.secretFields ?? [])].sort());
      });

      const { required, optional } = channelConfigFields(channel);
      it('has required fields', () => expect(required.length).toBeGreaterThan(0));

      for (const field of required) {
        it(`refuses a configuration without ${field}, naming it`, () => {
          expect(issuesOf(channel, without(botpressConfigs[channel], field))).toEqual([
            `channels.${channel}.${field} is required`,
          ]);
        });
      }

      const properties = adapterFor(channel)?.configSchema.properties ?? {};
      for (const field of [...required, ...optional]) {
        const type = (properties[field] as { type?: unknown }).type;
        if (type === undefined) continue; // unions and nested objects: below
        it(`refuses ${field} of the wrong type, naming it`, () => {
          const issues = issuesOf(channel, { ...botpressConfigs[channel], [field]: wrongTypeFor(type) });
          expect(issues).toHaveLength(1);
          expect(issues[0]).toMatch(new RegExp(`^channels\\.${channel}\\.${field} must be an? `));
        });
      }

      it('refuses enabled that is not a boolean and a version that is not a string', () => {
        expect(issuesOf(channel, { ...botpressConfigs[channel], enabled: 'yes', version: 1 })).toEqual([
          `channels.${channel}.enabled must be a boolean`,
          `channels.${channel}.version must be a string`,
        ]);
      });

      it('refuses a configuration that is not an object', () => {
        for (const value of [null, 'token', [botpressConfigs[channel]]]) {
          expect(issuesOf(channel, value)).toEqual([`channels.${channel} must be an object`]);
        }
      });
    });
  }

  it('refuses a channel it does not know', () => {
    expect(issuesOf('whatsapp', { token: 'x' })).toEqual([
      'channels.whatsapp is not a channel Switchboard knows (telegram, slack, twilio, vonage, messenger, teams, smooch, email)',
    ]);
    expect(issuesOf('__proto__', {})[0]).toMatch(/^channels\.__proto__ is not a channel/);
  });

  it('names a badly formed field and what its format is, never its value', () => {
    const issues = issuesOf('twilio', { accountSID: 'SKsecret-looking-value', authToken: 'tok' });
    expect(issues).toEqual([
      'channels.twilio.accountSID is not in the expected format (Account SID: AC followed by 32 hexadecimal digits)',
    ]);
    const telegram = issuesOf('telegram', { botToken: 'not a token' });
    expect(telegram).toEqual(['channels.telegram.botToken is not in the expected format']);
    expect(telegram.join(' ')).not.toContain('not a token');
  });

  it('names each problem of a nested or enumerated field', () => {
    expect(issuesOf('vonage', { ...botpressConfigs.vonage, channel: 'fax' })).toEqual([
      'channels.vonage.channel must be one of "sms", "mms", "whatsapp"',
    ]);
    expect(issuesOf('email', { ...botpressConfigs.email, port: 0 })).toEqual([
      'channels.email.port must be >= 1',
    ]);
    expect(issuesOf('slack', { ...botpressConfigs.slack, signingSecret: '' })).toEqual([
      'channels.slack.signingSecret must not be empty',
    ]);
    expect(
      issuesOf('teams', {
        ...botpressConfigs.teams,
        jwks: { keys: [{ kty: 'RSA', kid: 7, n: 'n', e: 'e' }] },
      }),
    ).toEqual(['channels.teams.jwks.keys[0].kid must be a string']);
  });

  it('accepts the legacy (0.1.0) Botpress configurations whose fields it can use', () => {
    const legacy = {
      telegram: { botToken: '123:abc' },
      slack: { botToken: 'xoxb-1', signingSecret: 's', useRTM: false },
      twilio: { accountSID: `AC${hex32}`, authToken: 't' },
      messenger: { accessToken: 'a', appSecret: 's', verifyToken: 'v', greeting: 'Hi', persistentMenu: [] },
      teams: { appId: 'a', appPassword: 'p', proactiveMessages: { hello: 'x' } },
      vonage: { apiKey: 'k', apiSecret: 's', signatureSecret: 'x', applicationId: 'a', privateKey: 'p' },
    };
    expect(checkChannelConfigs(legacy)).toMatchObject({ ok: true });
    // The legacy Sunshine Conversations channel (API v1, no app id, no webhook secret) cannot be served.
    expect(issuesOf('smooch', { keyId: 'k', secret: 's', forwardRawPayloads: ['text'] })).toEqual([
      'channels.smooch.appId is required',
      'channels.smooch.keySecret is required',
      'channels.smooch.webhookSecret is required',
    ]);
  });

  it('collects the problems of every channel of a sync, and the configurations when there are none', () => {
    const result = checkChannelConfigs({
      telegram: botpressConfigs.telegram,
      twilio: without(botpressConfigs.twilio, 'accountSID'),
      nope: {},
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        'channels.twilio.accountSID is required',
        expect.stringMatching(/^channels\.nope is not a channel/),
      ],
    });
    expect(checkChannelConfigs({ telegram: botpressConfigs.telegram, email: botpressConfigs.email })).toEqual(
      {
        ok: true,
        channels: {
          telegram: { enabled: true, config: kept.telegram },
          email: { enabled: true, config: kept.email },
        },
      },
    );
  });
});
