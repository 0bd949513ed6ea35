import { basicAuthorization, dropdownChoices, payloadAsTexts, splitText } from '@switchboard/channel-common';
import type {
  CardAction,
  CardPayload,
  CarouselPayload,
  ChannelAddress,
  DropdownPayload,
  LocationPayload,
  Payload,
  ProviderRequest,
  SingleChoicePayload,
  TypingState,
} from '@switchboard/contracts';
import type { SmoochConfig } from './config.js';

// Limits of the v2 message schema.
const maxTextLength = 4096;
const maxCarouselItems = 10;
const maxItemActions = 3;

type Content = Record<string, unknown>;
type Choice = { title: string; value: string };

/**
 * Our payloads as v2 `Post Message` calls (`POST /v2/apps/{appId}/conversations/{id}/messages`, JSON,
 * Basic auth), authored by the business. Sunshine Conversations adapts each content type to the
 * person's underlying channel. Images are image messages, audio, voice, video and files file messages
 * (it has no audio or video type), locations location messages; a card is a one-item carousel (an image
 * or text message with actions when it has no button or more than three); a carousel is a carousel when
 * every item has one to three buttons, one card message per item otherwise; choices and dropdowns are
 * text with `reply` actions (quick replies). An unknown type with a `text` is sent as text, one without
 * is skipped.
 */
export function renderSmoochPayload(
  payload: Payload,
  address: ChannelAddress,
  config: SmoochConfig,
): ProviderRequest[] {
  return contentsFor(payload).map((content) =>
    request(config, `/conversations/${encodeURIComponent(address.thread)}/messages`, {
      author: { type: 'business' },
      content,
    }),
  );
}

export function renderSmoochTyping(
  address: ChannelAddress,
  config: SmoochConfig,
  state: TypingState,
): ProviderRequest {
  return request(config, `/conversations/${encodeURIComponent(address.thread)}/activity`, {
    author: { type: 'business' },
    type: state === 'on' ? 'typing:start' : 'typing:stop',
  });
}

function contentsFor(payload: Payload): Content[] {
  switch (payload.type) {
    case 'text':
      return texts(String(payload.text ?? ''));
    case 'image':
      return [media('image', payload.image, payload.title)];
    case 'audio':
      return [media('file', payload.audio, payload.title)];
    case 'voice':
      return [media('file', payload.audio, undefined)];
    case 'video':
      return [media('file', payload.video, payload.title)];
    case 'file':
      return [media('file', payload.file, payload.title)];
    case 'location':
      return [location(payload as unknown as LocationPayload)];
    case 'card':
      return [card(payload as unknown as CardPayload)];
    case 'carousel':
      return carousel(
        (payload as unknown as CarouselPayload).items.map((item) => ({ ...item, type: 'card' as const })),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return [quickReplies(choice.text, choice.choices)];
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return [quickReplies(dropdown.message, dropdownChoices(dropdown))];
    }
    default:
      return payloadAsTexts(payload).flatMap(texts);
  }
}

function texts(text: string): Content[] {
  return splitText(text, maxTextLength).map((part) => ({ type: 'text', text: part }));
}

function media(type: 'image' | 'file', url: unknown, title: unknown): Content {
  return {
    type,
    mediaUrl: String(url ?? ''),
    ...(typeof title === 'string' && title.length > 0 ? { text: title } : {}),
  };
}

function location(payload: LocationPayload): Content {
  const details = {
    ...(payload.title ? { name: payload.title } : {}),
    ...(payload.address ? { address: payload.address } : {}),
  };
  return {
    type: 'location',
    coordinates: { lat: payload.latitude, long: payload.longitude },
    ...(Object.keys(details).length > 0 ? { location: details } : {}),
  };
}

function card(payload: CardPayload): Content {
  if (fitsCarouselItem(payload)) return { type: 'carousel', items: [item(payload)] };
  const text = [payload.title, payload.subtitle].filter(Boolean).join('\n');
  const actions = payload.actions.map(action);
  return {
    ...(payload.image ? { type: 'image', mediaUrl: payload.image } : { type: 'text' }),
    text,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

function carousel(cards: CardPayload[]): Content[] {
  if (cards.length > 0 && cards.length <= maxCarouselItems && cards.every(fitsCarouselItem)) {
    return [{ type: 'carousel', items: cards.map(item) }];
  }
  return cards.map(card);
}

/** Carousel items must have one to three actions. */
function fitsCarouselItem(payload: CardPayload): boolean {
  return payload.actions.length >= 1 && payload.actions.length <= maxItemActions;
}

function item(payload: CardPayload): Content {
  return {
    title: payload.title,
    ...(payload.subtitle ? { description: payload.subtitle } : {}),
    ...(payload.image ? { mediaUrl: payload.image } : {}),
    actions: payload.actions.map(action),
  };
}

/** "Say something" is a postback whose payload is the text: the tap comes back as that text. */
function action(cardAction: CardAction): Content {
  switch (cardAction.action) {
    case 'Open URL':
      return { type: 'link', text: cardAction.title, uri: cardAction.url };
    case 'Postback':
      return { type: 'postback', text: cardAction.title, payload: cardAction.payload };
    case 'Say something':
      return { type: 'postback', text: cardAction.title, payload: cardAction.text };
    default: {
      const unexpected: never = cardAction;
      throw new Error(`unknown card action ${JSON.stringify(unexpected)}`);
    }
  }
}

function quickReplies(text: string, choices: readonly Choice[]): Content {
  return {
    type: 'text',
    text: text.slice(0, maxTextLength),
    actions: choices.map((choice) => ({ type: 'reply', text: choice.title, payload: choice.value })),
  };
}

function request(
  config: SmoochConfig,
  conversationPath: string,
  body: Record<string, unknown>,
): ProviderRequest {
  return {
    method: 'POST',
    path: `/v2/apps/${encodeURIComponent(config.appId)}${conversationPath}`,
    headers: {
      authorization: basicAuthorization(config.keyId, config.keySecret),
      'content-type': 'application/json',
    },
    body: { kind: 'json', value: body },
  };
}
