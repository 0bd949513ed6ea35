import { dropdownChoices, payloadAsTexts, splitText } from '@switchboard/channel-common';
import type {
  CardAction,
  CardPayload,
  CarouselPayload,
  ChannelAddress,
  DropdownPayload,
  Payload,
  ProviderRequest,
  SingleChoicePayload,
  TypingState,
} from '@switchboard/contracts';
import { type MessengerConfig, messengerDefaultApiVersion } from './config.js';

// Send API limits (Messenger Platform reference): longer values are rejected, so they are cut.
const maxTextLength = 2000;
const maxQuickReplies = 13;
const maxQuickReplyTitle = 20;
const maxElementTitle = 80;
const maxElementSubtitle = 80;
const maxButtonTitle = 20;
const maxButtons = 3;
const maxElements = 10;

type MessengerMessage = Record<string, unknown>;

/**
 * Our payloads as Send API calls (`POST /<version>/me/messages`, JSON). Media are attachments by URL,
 * cards and carousels generic templates, choices and dropdowns quick replies (numbered text past 13
 * options); a location — which pages cannot send — and unknown types with a `text` are sent as text,
 * unknown types without one are skipped.
 */
export function renderMessengerPayload(
  payload: Payload,
  address: ChannelAddress,
  config: MessengerConfig,
): ProviderRequest[] {
  return messagesFor(payload).map((message) =>
    sendRequest(config, { recipient: { id: address.sender }, messaging_type: 'RESPONSE', message }),
  );
}

export function renderMessengerTyping(
  address: ChannelAddress,
  config: MessengerConfig,
  state: TypingState,
): ProviderRequest {
  return sendRequest(config, {
    recipient: { id: address.sender },
    sender_action: state === 'on' ? 'typing_on' : 'typing_off',
  });
}

function messagesFor(payload: Payload): MessengerMessage[] {
  switch (payload.type) {
    case 'text':
      return splitText(String(payload.text ?? ''), maxTextLength).map((text) => ({ text }));
    case 'image':
      return [mediaMessage('image', payload.image)];
    case 'audio':
      return [mediaMessage('audio', payload.audio)];
    case 'voice':
      return [mediaMessage('audio', payload.audio)];
    case 'video':
      return [mediaMessage('video', payload.video)];
    case 'file':
      return [mediaMessage('file', payload.file)];
    case 'card':
      return [genericTemplate([payload as unknown as CardPayload])];
    case 'carousel':
      return chunks((payload as unknown as CarouselPayload).items, maxElements).map((items) =>
        genericTemplate(items.map((item) => ({ ...item, type: 'card' as const }))),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return quickReplies(choice.text, choice.choices, payload);
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return quickReplies(dropdown.message, dropdownChoices(dropdown), payload);
    }
    default:
      // location and unknown types: the shared text rendering (empty for an unknown type without text).
      return payloadAsTexts(payload)
        .flatMap((text) => splitText(text, maxTextLength))
        .map((text) => ({ text }));
  }
}

function mediaMessage(type: 'image' | 'audio' | 'video' | 'file', url: unknown): MessengerMessage {
  return { attachment: { type, payload: { url: String(url ?? ''), is_reusable: true } } };
}

function genericTemplate(cards: CardPayload[]): MessengerMessage {
  const elements = cards.map((card) => {
    const buttons = card.actions.slice(0, maxButtons).map(button);
    return {
      title: truncate(card.title, maxElementTitle),
      ...(card.subtitle ? { subtitle: truncate(card.subtitle, maxElementSubtitle) } : {}),
      ...(card.image ? { image_url: card.image } : {}),
      ...(buttons.length > 0 ? { buttons } : {}),
    };
  });
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

/** "Say something" becomes a postback whose payload is the text: the tap comes back as that text. */
function button(action: CardAction): Record<string, string> {
  const title = truncate(action.title, maxButtonTitle);
  switch (action.action) {
    case 'Open URL':
      return { type: 'web_url', url: action.url, title };
    case 'Postback':
      return { type: 'postback', title, payload: action.payload };
    case 'Say something':
      return { type: 'postback', title, payload: action.text };
    default: {
      const unexpected: never = action;
      throw new Error(`unknown card action ${JSON.stringify(unexpected)}`);
    }
  }
}

function quickReplies(
  text: string,
  choices: readonly { title: string; value: string }[],
  payload: Payload,
): MessengerMessage[] {
  if (choices.length === 0 || choices.length > maxQuickReplies || text.length === 0) {
    return payloadAsTexts(payload)
      .flatMap((text) => splitText(text, maxTextLength))
      .map((line) => ({ text: line }));
  }
  return [
    {
      text: truncate(text, maxTextLength),
      quick_replies: choices.map((choice) => ({
        content_type: 'text',
        title: truncate(choice.title, maxQuickReplyTitle),
        payload: choice.value,
      })),
    },
  ];
}

function sendRequest(config: MessengerConfig, body: Record<string, unknown>): ProviderRequest {
  const version = config.apiVersion ?? messengerDefaultApiVersion;
  return {
    method: 'POST',
    path: `/${version}/me/messages?access_token=${encodeURIComponent(config.accessToken)}`,
    headers: { 'content-type': 'application/json' },
    body: { kind: 'json', value: body },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
