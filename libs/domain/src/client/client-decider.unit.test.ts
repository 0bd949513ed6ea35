import type { ChannelSetting, ClientCommand, ClientEvent, WebhookSetting } from '@switchboard/contracts';
import { limits } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState } from '../decider.js';
import { deciderSpec } from '../testing/decider-spec.js';
import { ids, sealed, tokenHashA, tokenHashB } from '../testing/fixtures.js';
import { clientDecider } from './client-decider.js';

const { given } = deciderSpec(clientDecider);
const clientId = ids.client;

const created: ClientEvent = { type: 'ClientCreated', data: { clientId, tokenHash: tokenHashA } };

function channel(version: string, enabled = true): ChannelSetting {
  return {
    enabled,
    sealedConfig: sealed(`config ${version}`),
    fingerprint: `fingerprint-${version.padStart(8, '0')}`,
  };
}

function webhook(webhookId: string, url: string): WebhookSetting {
  return { webhookId, url, sealedToken: sealed(`token of ${url}`) };
}

function configured(name: string, setting: ChannelSetting): ClientEvent {
  return { type: 'ChannelConfigured', data: { clientId, channel: name, ...setting } };
}

function webhookAdded(setting: WebhookSetting): ClientEvent {
  return { type: 'WebhookAdded', data: { clientId, ...setting } };
}

const hookA = webhook(ids.webhook1, 'https://a.example.com/hook');
const hookB = webhook(ids.webhook2, 'https://b.example.com/hook');

describe('CreateClient', () => {
  it('creates a client', () => {
    given([])
      .when({ type: 'CreateClient', data: { clientId, name: 'Acme', tokenHash: tokenHashA } })
      .then([{ type: 'ClientCreated', data: { clientId, name: 'Acme', tokenHash: tokenHashA } }]);
  });

  it('creates a client with its first configuration in one step', () => {
    const configuration = { channels: { telegram: channel('1') }, webhooks: [hookA] };
    given([])
      .when({ type: 'CreateClient', data: { clientId, tokenHash: tokenHashA, configuration } })
      .then([created, configured('telegram', channel('1')), webhookAdded(hookA)]);
  });

  it('refuses to create a client that exists', () => {
    given([created])
      .when({ type: 'CreateClient', data: { clientId, tokenHash: tokenHashB } })
      .thenThrows('conflict');
  });
});

describe('commands on a client that does not exist, or of another tenant', () => {
  const commands: ClientCommand[] = [
    { type: 'RenameClient', data: { clientId, name: 'x' } },
    { type: 'RotateClientToken', data: { clientId, tokenHash: tokenHashB } },
    { type: 'ConfigureChannel', data: { clientId, channel: 'telegram', ...channel('1') } },
    { type: 'RemoveChannel', data: { clientId, channel: 'telegram' } },
    { type: 'AddWebhook', data: { clientId, ...hookA } },
    { type: 'RemoveWebhook', data: { clientId, webhookId: ids.webhook1 } },
    { type: 'SyncClientConfiguration', data: { clientId, channels: {}, webhooks: [] } },
  ];

  for (const command of commands) {
    it(`${command.type} is not_found on a missing client`, () => {
      given([]).when(command).thenThrows('not_found');
    });

    it(`${command.type} is not_found when the client is another tenant's`, () => {
      const otherTenant = {
        ...command,
        data: { ...command.data, clientId: ids.otherClient },
      } as ClientCommand;
      given([created]).when(otherTenant).thenThrows('not_found');
    });
  }
});

describe('RenameClient', () => {
  it('renames, and clears the name with null', () => {
    given([created])
      .when({ type: 'RenameClient', data: { clientId, name: 'Acme' } })
      .then([{ type: 'ClientRenamed', data: { clientId, name: 'Acme' } }]);
    given([created, { type: 'ClientRenamed', data: { clientId, name: 'Acme' } }])
      .when({ type: 'RenameClient', data: { clientId, name: null } })
      .then([{ type: 'ClientRenamed', data: { clientId, name: null } }]);
  });

  it('emits nothing when the name does not change', () => {
    given([created, { type: 'ClientRenamed', data: { clientId, name: 'Acme' } }])
      .when({ type: 'RenameClient', data: { clientId, name: 'Acme' } })
      .then([]);
    given([created])
      .when({ type: 'RenameClient', data: { clientId, name: null } })
      .then([]);
  });
});

describe('RotateClientToken', () => {
  it('records the new token hash', () => {
    given([created])
      .when({ type: 'RotateClientToken', data: { clientId, tokenHash: tokenHashB } })
      .then([{ type: 'ClientTokenRotated', data: { clientId, tokenHash: tokenHashB } }]);
  });
});

describe('ConfigureChannel', () => {
  it('configures a new channel', () => {
    given([created])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'telegram', ...channel('1') } })
      .then([configured('telegram', channel('1'))]);
  });

  it('reconfigures a channel whose configuration or enabled flag changed', () => {
    given([created, configured('telegram', channel('1'))])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'telegram', ...channel('2') } })
      .then([configured('telegram', channel('2'))]);
    given([created, configured('telegram', channel('1'))])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'telegram', ...channel('1', false) } })
      .then([configured('telegram', channel('1', false))]);
  });

  it('emits nothing for an unchanged configuration, though sealed anew', () => {
    const resealed = { ...channel('1'), sealedConfig: sealed('same config, another iv') };
    given([created, configured('telegram', channel('1'))])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'telegram', ...resealed } })
      .then([]);
  });

  it(`refuses a channel beyond ${limits.channelsPerClient}`, () => {
    const full = Array.from({ length: limits.channelsPerClient }, (_, i) =>
      configured(`channel${i}`, channel('1')),
    );
    given([created, ...full])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'one-more', ...channel('1') } })
      .thenThrows('invalid');
    given([created, ...full])
      .when({ type: 'ConfigureChannel', data: { clientId, channel: 'channel0', ...channel('2') } })
      .then([configured('channel0', channel('2'))]);
  });
});

describe('RemoveChannel', () => {
  it('removes a configured channel', () => {
    given([created, configured('telegram', channel('1'))])
      .when({ type: 'RemoveChannel', data: { clientId, channel: 'telegram' } })
      .then([{ type: 'ChannelRemoved', data: { clientId, channel: 'telegram' } }]);
  });

  it('is not_found for a channel not configured, or already removed', () => {
    given([created])
      .when({ type: 'RemoveChannel', data: { clientId, channel: 'telegram' } })
      .thenThrows('not_found');
    given([
      created,
      configured('telegram', channel('1')),
      { type: 'ChannelRemoved', data: { clientId, channel: 'telegram' } },
    ])
      .when({ type: 'RemoveChannel', data: { clientId, channel: 'telegram' } })
      .thenThrows('not_found');
  });

  it('does not mistake inherited object keys for channels', () => {
    given([created])
      .when({ type: 'RemoveChannel', data: { clientId, channel: 'constructor' } })
      .thenThrows('not_found');
  });
});

describe('AddWebhook', () => {
  it('adds a webhook', () => {
    given([created])
      .when({ type: 'AddWebhook', data: { clientId, ...hookA } })
      .then([webhookAdded(hookA)]);
  });

  it('refuses a webhook id or URL already in use', () => {
    given([created, webhookAdded(hookA)])
      .when({ type: 'AddWebhook', data: { clientId, ...hookB, webhookId: hookA.webhookId } })
      .thenThrows('conflict');
    given([created, webhookAdded(hookA)])
      .when({ type: 'AddWebhook', data: { clientId, ...hookB, url: hookA.url } })
      .thenThrows('conflict');
  });

  it(`refuses a webhook beyond ${limits.webhooksPerClient}`, () => {
    const full = Array.from({ length: limits.webhooksPerClient }, (_, i) =>
      webhookAdded(
        webhook(
          `7${i.toString(16).padStart(7, '0')}-0000-4000-8000-000000000000`,
          `https://h${i}.example.com`,
        ),
      ),
    );
    given([created, ...full])
      .when({ type: 'AddWebhook', data: { clientId, ...hookA } })
      .thenThrows('invalid');
  });
});

describe('RemoveWebhook', () => {
  it('removes a webhook, naming its URL', () => {
    given([created, webhookAdded(hookA)])
      .when({ type: 'RemoveWebhook', data: { clientId, webhookId: hookA.webhookId } })
      .then([{ type: 'WebhookRemoved', data: { clientId, webhookId: hookA.webhookId, url: hookA.url } }]);
  });

  it('is not_found for an unknown or removed webhook', () => {
    given([created])
      .when({ type: 'RemoveWebhook', data: { clientId, webhookId: ids.webhook1 } })
      .thenThrows('not_found');
    given([
      created,
      webhookAdded(hookA),
      { type: 'WebhookRemoved', data: { clientId, webhookId: hookA.webhookId, url: hookA.url } },
    ])
      .when({ type: 'RemoveWebhook', data: { clientId, webhookId: hookA.webhookId } })
      .thenThrows('not_found');
  });
});

describe('SyncClientConfiguration', () => {
  const current = [
    created,
    configured('telegram', channel('1')),
    configured('slack', channel('1')),
    webhookAdded(hookA),
    webhookAdded(hookB),
  ];

  it('emits nothing when the wanted configuration is the current one', () => {
    // Fresh ids, tokens and sealings, as the gateway makes them on every call: the URLs decide.
    const again = [
      webhook(ids.webhook3, hookA.url),
      webhook('82c581a3-f496-43be-81d8-90840502a3c7', hookB.url),
    ];
    given(current)
      .when({
        type: 'SyncClientConfiguration',
        data: {
          clientId,
          channels: {
            telegram: { ...channel('1'), sealedConfig: sealed('resealed telegram') },
            slack: channel('1'),
          },
          webhooks: again,
        },
      })
      .then([]);
  });

  it('emits only the differences: removals first, then additions and changes', () => {
    const hookC = webhook(ids.webhook3, 'https://c.example.com/hook');
    given(current)
      .when({
        type: 'SyncClientConfiguration',
        data: {
          clientId,
          channels: { telegram: channel('2'), twilio: channel('1') },
          webhooks: [webhook('82c581a3-f496-43be-81d8-90840502a3c7', hookA.url), hookC],
        },
      })
      .then([
        { type: 'ChannelRemoved', data: { clientId, channel: 'slack' } },
        { type: 'WebhookRemoved', data: { clientId, webhookId: hookB.webhookId, url: hookB.url } },
        configured('telegram', channel('2')),
        configured('twilio', channel('1')),
        webhookAdded(hookC),
      ]);
  });

  it('keeps the id and token of a webhook whose URL stays', () => {
    const events = given(current)
      .when({
        type: 'SyncClientConfiguration',
        data: { clientId, channels: {}, webhooks: [webhook(ids.webhook3, hookA.url)] },
      })
      .then([
        { type: 'ChannelRemoved', data: { clientId, channel: 'telegram' } },
        { type: 'ChannelRemoved', data: { clientId, channel: 'slack' } },
        { type: 'WebhookRemoved', data: { clientId, webhookId: hookB.webhookId, url: hookB.url } },
      ]);
    const after = foldState(clientDecider, [...current, ...events]);
    expect(after.status === 'active' && after.webhooks).toEqual({
      [hookA.webhookId]: { url: hookA.url, sealedToken: hookA.sealedToken },
    });
    expect(after.status === 'active' && after.channels).toEqual({});
  });

  it('treats a URL listed twice as one webhook', () => {
    given([created])
      .when({
        type: 'SyncClientConfiguration',
        data: { clientId, channels: {}, webhooks: [hookA, webhook(ids.webhook3, hookA.url)] },
      })
      .then([webhookAdded(hookA)]);
  });

  it('refuses a new webhook reusing an id', () => {
    given([created, webhookAdded(hookA)])
      .when({
        type: 'SyncClientConfiguration',
        data: { clientId, channels: {}, webhooks: [webhook(hookA.webhookId, 'https://c.example.com')] },
      })
      .thenThrows('conflict');
    given([created])
      .when({
        type: 'SyncClientConfiguration',
        data: { clientId, channels: {}, webhooks: [hookA, { ...hookB, webhookId: hookA.webhookId }] },
      })
      .thenThrows('conflict');
  });

  it('refuses more webhooks than the limit, counted after de-duplication', () => {
    const many = Array.from({ length: limits.webhooksPerClient + 1 }, (_, i) =>
      webhook(`7${i.toString(16).padStart(7, '0')}-0000-4000-8000-000000000000`, `https://h${i}.example.com`),
    );
    given([created])
      .when({ type: 'SyncClientConfiguration', data: { clientId, channels: {}, webhooks: many } })
      .thenThrows('invalid');
    const repeated = Array.from({ length: limits.webhooksPerClient + 1 }, () => hookA);
    given([created])
      .when({ type: 'SyncClientConfiguration', data: { clientId, channels: {}, webhooks: repeated } })
      .then([webhookAdded(hookA)]);
  });
});
