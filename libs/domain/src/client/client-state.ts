import type { ClientEvent } from '@switchboard/contracts';

export interface ChannelState {
  enabled: boolean;
  fingerprint: string;
}

export interface WebhookState {
  url: string;
  sealedToken: string;
}

/**
 * A client's state: its configuration, bounded by `limits`. Plain JSON (no Map, no Date) so that a
 * handler may cache or snapshot it as it is.
 */
export type ClientState =
  | { status: 'none' }
  | {
      status: 'active';
      clientId: string;
      name: string | null;
      channels: Record<string, ChannelState>;
      webhooks: Record<string, WebhookState>;
    };

export function initialClientState(): ClientState {
  return { status: 'none' };
}

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  if (event.type === 'ClientCreated') {
    return {
      status: 'active',
      clientId: event.data.clientId,
      name: event.data.name ?? null,
      channels: {},
      webhooks: {},
    };
  }
  // An event before the stream's creation cannot be applied; replay keeps the state as it is.
  if (state.status !== 'active') return state;
  switch (event.type) {
    case 'ClientRenamed':
      return { ...state, name: event.data.name };
    case 'ClientTokenRotated':
      return state;
    case 'ChannelConfigured': {
      const { channel, enabled, fingerprint } = event.data;
      return { ...state, channels: { ...state.channels, [channel]: { enabled, fingerprint } } };
    }
    case 'ChannelRemoved': {
      const { [event.data.channel]: _removed, ...channels } = state.channels;
      return { ...state, channels };
    }
    case 'WebhookAdded': {
      const { webhookId, url, sealedToken } = event.data;
      return { ...state, webhooks: { ...state.webhooks, [webhookId]: { url, sealedToken } } };
    }
    case 'WebhookRemoved': {
      const { [event.data.webhookId]: _removed, ...webhooks } = state.webhooks;
      return { ...state, webhooks };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`client decider cannot apply ${(unhandled as ClientEvent).type}`);
    }
  }
}
