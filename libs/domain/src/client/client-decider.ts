import {
  type ChannelSetting,
  type ClientCommand,
  type ClientConfiguration,
  type ClientEvent,
  limits,
} from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';
import { type ClientState, evolveClient, initialClientState } from './client-state.js';

type ActiveClient = Extract<ClientState, { status: 'active' }>;

/** Stream `client-<id>`: a tenant, its credentials, channels and webhooks. */
export const clientDecider: Decider<ClientCommand, ClientEvent, ClientState> = {
  initialState: initialClientState,
  evolve: evolveClient,
  decide(command: ClientCommand, state: ClientState, _ctx: DecideContext): ClientEvent[] {
    if (command.type === 'CreateClient') {
      if (state.status !== 'none') throw new DomainError('conflict', 'client already exists');
      const { clientId, name, tokenHash, configuration } = command.data;
      const created: ClientEvent = {
        type: 'ClientCreated',
        data: name === undefined ? { clientId, tokenHash } : { clientId, name, tokenHash },
      };
      if (!configuration) return [created];
      const empty = evolveClient(state, created) as ActiveClient;
      return [created, ...configurationChanges(empty, configuration)];
    }

    const client = existingClient(state, command.data.clientId);
    const { clientId } = client;
    switch (command.type) {
      case 'RenameClient':
        if (client.name === command.data.name) return [];
        return [{ type: 'ClientRenamed', data: { clientId, name: command.data.name } }];
      case 'RotateClientToken':
        return [{ type: 'ClientTokenRotated', data: { clientId, tokenHash: command.data.tokenHash } }];
      case 'ConfigureChannel': {
        const { channel, enabled, sealedConfig, fingerprint } = command.data;
        if (!channelChanged(client, channel, { enabled, fingerprint })) return [];
        const isNew = !Object.hasOwn(client.channels, channel);
        if (isNew && Object.keys(client.channels).length >= limits.channelsPerClient) {
          throw new DomainError('invalid', `a client has at most ${limits.channelsPerClient} channels`);
        }
        return [
          { type: 'ChannelConfigured', data: { clientId, channel, enabled, sealedConfig, fingerprint } },
        ];
      }
      case 'RemoveChannel':
        if (!Object.hasOwn(client.channels, command.data.channel)) {
          throw new DomainError('not_found', `channel ${command.data.channel} is not configured`);
        }
        return [{ type: 'ChannelRemoved', data: { clientId, channel: command.data.channel } }];
      case 'AddWebhook': {
        const { webhookId, url, sealedToken } = command.data;
        if (Object.hasOwn(client.webhooks, webhookId))
          throw new DomainError('conflict', 'webhook id already in use');
        if (webhookIdOfUrl(client, url) !== undefined) {
          throw new DomainError('conflict', 'a webhook with this url already exists');
        }
        if (Object.keys(client.webhooks).length >= limits.webhooksPerClient) {
          throw new DomainError('invalid', `a client has at most ${limits.webhooksPerClient} webhooks`);
        }
        return [{ type: 'WebhookAdded', data: { clientId, webhookId, url, sealedToken } }];
      }
      case 'RemoveWebhook': {
        const webhook = Object.hasOwn(client.webhooks, command.data.webhookId)
          ? client.webhooks[command.data.webhookId]
          : undefined;
        if (!webhook) throw new DomainError('not_found', 'webhook not found');
        return [
          { type: 'WebhookRemoved', data: { clientId, webhookId: command.data.webhookId, url: webhook.url } },
        ];
      }
      case 'SyncClientConfiguration': {
        const { channels, webhooks } = command.data;
        return configurationChanges(client, { channels, webhooks });
      }
      default: {
        const unhandled: never = command;
        throw new Error(`client decider cannot decide ${(unhandled as ClientCommand).type}`);
      }
    }
  },
};

function existingClient(state: ClientState, clientId: string): ActiveClient {
  // A command naming another tenant is answered as if the client did not exist.
  if (state.status !== 'active' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'client not found');
  }
  return state;
}

function channelChanged(
  client: ActiveClient,
  channel: string,
  wanted: Pick<ChannelSetting, 'enabled' | 'fingerprint'>,
): boolean {
  const current = Object.hasOwn(client.channels, channel) ? client.channels[channel] : undefined;
  return !current || current.enabled !== wanted.enabled || current.fingerprint !== wanted.fingerprint;
}

function webhookIdOfUrl(client: ActiveClient, url: string): string | undefined {
  for (const [webhookId, webhook] of Object.entries(client.webhooks)) {
    if (webhook.url === url) return webhookId;
  }
  return undefined;
}

/**
 * The events that turn a client's configuration into the wanted one, and nothing else: channels not
 * wanted are removed, new or changed ones configured; webhooks whose URL is no longer wanted are
 * removed, new URLs added with the id and token given; a URL already registered keeps its id and token.
 * Removals come first so the limits hold at every step.
 */
function configurationChanges(client: ActiveClient, wanted: ClientConfiguration): ClientEvent[] {
  const { clientId } = client;
  const removed: ClientEvent[] = [];
  const added: ClientEvent[] = [];

  for (const channel of Object.keys(client.channels)) {
    if (!Object.hasOwn(wanted.channels, channel))
      removed.push({ type: 'ChannelRemoved', data: { clientId, channel } });
  }
  for (const [channel, setting] of Object.entries(wanted.channels)) {
    if (!channelChanged(client, channel, setting)) continue;
    const { enabled, sealedConfig, fingerprint } = setting;
    added.push({
      type: 'ChannelConfigured',
      data: { clientId, channel, enabled, sealedConfig, fingerprint },
    });
  }

  const wantedUrls = new Set(wanted.webhooks.map((webhook) => webhook.url));
  for (const [webhookId, webhook] of Object.entries(client.webhooks)) {
    if (!wantedUrls.has(webhook.url)) {
      removed.push({ type: 'WebhookRemoved', data: { clientId, webhookId, url: webhook.url } });
    }
  }
  const handledUrls = new Set<string>();
  const newIds = new Set<string>();
  for (const { webhookId, url, sealedToken } of wanted.webhooks) {
    // The same URL listed twice is one webhook.
    if (handledUrls.has(url)) continue;
    handledUrls.add(url);
    if (webhookIdOfUrl(client, url) !== undefined) continue;
    if (Object.hasOwn(client.webhooks, webhookId) || newIds.has(webhookId)) {
      throw new DomainError('conflict', 'webhook id already in use');
    }
    newIds.add(webhookId);
    added.push({ type: 'WebhookAdded', data: { clientId, webhookId, url, sealedToken } });
  }

  const channelCount = Object.keys(wanted.channels).length;
  if (channelCount > limits.channelsPerClient) {
    throw new DomainError('invalid', `a client has at most ${limits.channelsPerClient} channels`);
  }
  if (handledUrls.size > limits.webhooksPerClient) {
    throw new DomainError('invalid', `a client has at most ${limits.webhooksPerClient} webhooks`);
  }
  return [...removed, ...added];
}
