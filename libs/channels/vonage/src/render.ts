import {
  basicAuthorization,
  cardAsText,
  locationAsText,
  payloadAsTexts,
  splitText,
} from '@switchboard/channel-common';
import type {
  CardPayload,
  CarouselPayload,
  ChannelAddress,
  LocationPayload,
  Payload,
  ProviderRequest,
} from '@switchboard/contracts';
import type { VonageConfig } from './config.js';

type VonageChannel = NonNullable<VonageConfig['channel']>;
type MediaType = 'image' | 'audio' | 'video' | 'file';

// What each Messages API channel carries: its text and caption lengths, and the media types it sends.
const channels: Record<VonageChannel, { maxText: number; maxCaption: number; media: readonly MediaType[] }> =
  {
    sms: { maxText: 1000, maxCaption: 0, media: [] },
    mms: { maxText: 1000, maxCaption: 1000, media: ['image', 'audio', 'video'] },
    whatsapp: { maxText: 4096, maxCaption: 3000, media: ['image', 'audio', 'video', 'file'] },
  };

/**
 * Our payloads as `POST /v1/messages` JSON requests on the configured channel, from our number
 * (`address.identity`, else `fromNumber`) to theirs (`address.sender`): text → `message_type: text`
 * (split at the channel's length); image, audio, voice, video, file → the media message type when the
 * channel has it (MMS: image, audio, video; WhatsApp: all four, voice as audio), with the title as
 * caption (audio has none on WhatsApp: the title follows as text), otherwise a link in the text (SMS);
 * location → text with a map link; card → its image as an image message captioned with the card's text,
 * or the text alone; carousel → one per card; single-choice and dropdown → numbered text (no
 * interactive messages: the core maps a numeric reply back); unknown types → their `text`, or nothing.
 */
export function renderVonage(
  payload: Payload,
  address: ChannelAddress,
  config: VonageConfig,
): ProviderRequest[] {
  const channel = config.channel ?? 'sms';
  const shape = channels[channel];
  const from = address.identity !== '*' ? address.identity : (config.fromNumber ?? '');
  const send = (content: Record<string, unknown>) =>
    messageRequest(config, { to: address.sender, from, channel, ...content });
  const texts = (text: string) =>
    text.length === 0
      ? []
      : splitText(text, shape.maxText).map((part) => send({ message_type: 'text', text: part }));
  const media = (type: MediaType, url: string, title: string | undefined): ProviderRequest[] => {
    if (!shape.media.includes(type)) return texts([title, url].filter(Boolean).join('\n'));
    const captionable = !(channel === 'whatsapp' && type === 'audio');
    if (title === undefined || title.length === 0) return [send({ message_type: type, [type]: { url } })];
    if (captionable && title.length <= shape.maxCaption) {
      return [send({ message_type: type, [type]: { url, caption: title } })];
    }
    return [send({ message_type: type, [type]: { url } }), ...texts(title)];
  };
  const card = (item: CardPayload) =>
    item.image === undefined
      ? texts(cardAsText(item))
      : media('image', item.image, cardAsText({ ...item, image: undefined }));

  switch (payload.type) {
    case 'text':
      return texts(String(payload.text ?? ''));
    case 'image':
    case 'audio':
    case 'video':
    case 'file':
      return media(payload.type, String(payload[payload.type]), titleOf(payload.title));
    case 'voice':
      return media('audio', String(payload.audio), undefined);
    case 'location':
      return texts(locationAsText(payload as unknown as LocationPayload));
    case 'card':
      return card(payload as unknown as CardPayload);
    case 'carousel':
      return (payload as unknown as CarouselPayload).items.flatMap((item) => card({ ...item, type: 'card' }));
    default:
      // single-choice, dropdown (numbered text) and unknown types.
      return payloadAsTexts(payload).flatMap(texts);
  }
}

function messageRequest(config: VonageConfig, body: Record<string, unknown>): ProviderRequest {
  return {
    method: 'POST',
    path: '/v1/messages',
    headers: {
      authorization: basicAuthorization(config.apiKey, config.apiSecret),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: { kind: 'json', value: body },
  };
}

function titleOf(title: unknown): string | undefined {
  return typeof title === 'string' && title.length > 0 ? title : undefined;
}
