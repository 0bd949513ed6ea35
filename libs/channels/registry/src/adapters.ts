import { emailAdapter } from '@switchboard/channel-email';
import { messengerAdapter, messengerDefaultBaseUrl } from '@switchboard/channel-messenger';
import { slackAdapter } from '@switchboard/channel-slack';
import { smoochAdapter, smoochDefaultBaseUrl } from '@switchboard/channel-smooch';
import { teamsAdapter, teamsDefaultServiceUrl } from '@switchboard/channel-teams';
import { telegramAdapter } from '@switchboard/channel-telegram';
import { twilioAdapter } from '@switchboard/channel-twilio';
import { vonageAdapter } from '@switchboard/channel-vonage';
import type { ChannelAdapter } from '@switchboard/contracts';

/**
 * Every channel Switchboard speaks, by the name clients configure it under (sync's `channels`) and
 * endpoints carry. The one place the gateway (inbound), the connectors (outbound) and the command
 * handler (inbound replies) look an adapter up.
 */
export const channelAdapters = {
  telegram: telegramAdapter,
  slack: slackAdapter,
  twilio: twilioAdapter,
  vonage: vonageAdapter,
  messenger: messengerAdapter,
  teams: teamsAdapter,
  smooch: smoochAdapter,
  email: emailAdapter,
} as const;

export type KnownChannel = keyof typeof channelAdapters;

export const knownChannels = Object.keys(channelAdapters) as KnownChannel[];

export function isKnownChannel(name: string): name is KnownChannel {
  return Object.hasOwn(channelAdapters, name);
}

/** An adapter seen through the common interface, its configuration opened from the sealed JSON. */
// biome-ignore lint/suspicious/noExplicitAny: each adapter checks its own configuration's shape.
export type AnyChannelAdapter = ChannelAdapter<any>;

export function adapterFor(name: string): AnyChannelAdapter | undefined {
  return isKnownChannel(name) ? (channelAdapters[name] as AnyChannelAdapter) : undefined;
}

/**
 * The provider API each adapter's rendered paths are relative to, in production. Connectors take it
 * from `<CHANNEL>_API_BASE_URL` when set (a regional host, a proxy, a fake in tests). E-mail has none:
 * it goes out over SMTP to the host of the client's configuration.
 */
export const defaultApiBaseUrls: Record<KnownChannel, string> = {
  telegram: 'https://api.telegram.org',
  slack: 'https://slack.com',
  twilio: 'https://api.twilio.com',
  vonage: 'https://api.nexmo.com',
  messenger: messengerDefaultBaseUrl,
  teams: teamsDefaultServiceUrl,
  smooch: smoochDefaultBaseUrl,
  email: '',
};
