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
import type { TwilioConfig } from './config.js';

// Twilio refuses a Body over 1600 characters (error 21617).
const maxBodyLength = 1600;

/**
 * Our payloads as `POST /2010-04-01/Accounts/<sid>/Messages.json` form requests from our number
 * (`address.identity`, else `fromNumber`, else the Messaging Service) to theirs (`address.sender`):
 * text → Body, split at 1600 characters; image, audio, voice, video, file → MediaUrl with the title as
 * Body (MMS / WhatsApp; as a link in the text with `mediaAsLinks`); location → text with a map link; card →
 * its image as MediaUrl and its text (title, subtitle, URL buttons as links, the other buttons numbered);
 * carousel → one such message per card; single-choice and dropdown → numbered text (the core maps a
 * numeric reply back with `choiceForReply`); unknown types → their `text`, or nothing.
 */
export function renderTwilio(
  payload: Payload,
  address: ChannelAddress,
  config: TwilioConfig,
): ProviderRequest[] {
  const send = (content: { Body?: string; MediaUrl?: string }) => messageRequest(config, address, content);
  const texts = (text: string) =>
    text.length === 0 ? [] : splitText(text, maxBodyLength).map((Body) => send({ Body }));
  const withMedia = (mediaUrl: string, text: string | undefined): ProviderRequest[] => {
    if (config.mediaAsLinks) return texts([text, mediaUrl].filter(Boolean).join('\n'));
    if (text === undefined || text.length === 0) return [send({ MediaUrl: mediaUrl })];
    if (text.length <= maxBodyLength) return [send({ MediaUrl: mediaUrl, Body: text })];
    return [send({ MediaUrl: mediaUrl }), ...texts(text)];
  };
  const card = (item: CardPayload) =>
    item.image === undefined
      ? texts(cardAsText(item))
      : withMedia(item.image, cardAsText({ ...item, image: undefined }));

  switch (payload.type) {
    case 'text':
      return texts(String(payload.text ?? ''));
    case 'image':
    case 'audio':
    case 'video':
    case 'file':
      return withMedia(String(payload[payload.type]), titleOf(payload.title));
    case 'voice':
      return withMedia(String(payload.audio), undefined);
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

function messageRequest(
  config: TwilioConfig,
  address: ChannelAddress,
  content: { Body?: string; MediaUrl?: string },
): ProviderRequest {
  const fields: Record<string, string> = { To: address.sender };
  const from = address.identity !== '*' ? address.identity : config.fromNumber;
  if (from !== undefined) fields.From = from;
  else if (config.messagingServiceSid !== undefined) fields.MessagingServiceSid = config.messagingServiceSid;
  if (content.Body !== undefined) fields.Body = content.Body;
  if (content.MediaUrl !== undefined) fields.MediaUrl = content.MediaUrl;
  if (config.statusCallbackUrl !== undefined) fields.StatusCallback = config.statusCallbackUrl;
  return {
    method: 'POST',
    path: `/2010-04-01/Accounts/${config.accountSID}/Messages.json`,
    headers: {
      authorization: basicAuthorization(config.accountSID, config.authToken),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: { kind: 'form', value: fields },
  };
}

function titleOf(title: unknown): string | undefined {
  return typeof title === 'string' && title.length > 0 ? title : undefined;
}
