import { type Choice, dropdownChoices, payloadAsTexts, splitText } from '@switchboard/channel-common';
import type {
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
import { type TelegramConfig, telegramWebhookSecret } from './config.js';
import type { TelegramInlineButton } from './wire-types.js';

// Bot API limits: message text and media captions (in characters), and an inline button's callback data (bytes).
const maxTextLength = 4096;
const maxCaptionLength = 1024;
const maxCallbackDataBytes = 64;

type Keyboard = TelegramInlineButton[][];

/**
 * Our payloads as Bot API calls to `address.thread` (the chat id):
 * text → sendMessage (split at 4096 characters; sent as plain text, `markdown` is not translated to
 * Telegram's MarkdownV2, whose escaping rules would reject ordinary text); image/audio/voice/video/file →
 * sendPhoto/sendAudio/sendVoice/sendVideo/sendDocument with the URL or file_id and the title as caption;
 * location → sendVenue when it has a title and an address, else sendLocation; card → sendPhoto (or
 * sendMessage without image) with an inline keyboard (Open URL → url button, Postback and Say something →
 * callback button); carousel → one card message per item; single-choice and dropdown → sendMessage with
 * one callback button per row. Callback data over 64 bytes cannot be a button: such a card or choice is
 * sent as numbered text instead. Unknown types: their `text` as a message, or nothing.
 */
export function renderTelegram(
  payload: Payload,
  address: ChannelAddress,
  config: TelegramConfig,
): ProviderRequest[] {
  const chat = chatIdOf(address.thread);
  const call = (method: string, body: Record<string, unknown>) =>
    botCall(config, method, { chat_id: chat, ...body });
  const texts = (text: string, keyboard?: Keyboard) => textMessages(call, text, keyboard);

  switch (payload.type) {
    case 'text':
      return texts(String(payload.text ?? ''));
    case 'image':
      return mediaMessages(call, 'sendPhoto', 'photo', payload.image, payload.title);
    case 'audio':
      return mediaMessages(call, 'sendAudio', 'audio', payload.audio, payload.title);
    case 'voice':
      return [call('sendVoice', { voice: payload.audio })];
    case 'video':
      return mediaMessages(call, 'sendVideo', 'video', payload.video, payload.title);
    case 'file':
      return mediaMessages(call, 'sendDocument', 'document', payload.file, payload.title);
    case 'location': {
      const { latitude, longitude, title, address: street } = payload as unknown as LocationPayload;
      return title && street
        ? [call('sendVenue', { latitude, longitude, title, address: street })]
        : [call('sendLocation', { latitude, longitude })];
    }
    case 'card':
      return cardMessages(call, payload as unknown as CardPayload);
    case 'carousel':
      return (payload as unknown as CarouselPayload).items.flatMap((item) =>
        cardMessages(call, { ...item, type: 'card' }),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return choiceMessages(call, payload, choice.text, choice.choices);
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return choiceMessages(call, payload, dropdown.message, dropdownChoices(dropdown));
    }
    default:
      return payloadAsTexts(payload).flatMap((text) => texts(text));
  }
}

/** `sendChatAction typing`: shown for five seconds or until the bot's next message. */
/** `sendChatAction` typing; Telegram hides it after five seconds or at the bot's next message. */
export function renderTelegramTyping(
  address: ChannelAddress,
  config: TelegramConfig,
  state: TypingState,
): ProviderRequest | null {
  return state === 'on'
    ? botCall(config, 'sendChatAction', { chat_id: chatIdOf(address.thread), action: 'typing' })
    : null;
}

/** Registers the gateway's webhook URL with the secret `verify` expects, for the updates `parse` reads. */
export function renderTelegramSetWebhook(url: string, config: TelegramConfig): ProviderRequest {
  return botCall(config, 'setWebhook', {
    url,
    secret_token: telegramWebhookSecret(config),
    allowed_updates: ['message', 'callback_query'],
  });
}

export function botCall(
  config: TelegramConfig,
  method: string,
  body: Record<string, unknown>,
): ProviderRequest {
  return {
    method: 'POST',
    path: `/bot${config.botToken}/${method}`,
    headers: { 'content-type': 'application/json' },
    body: { kind: 'json', value: body },
  };
}

type Call = (method: string, body: Record<string, unknown>) => ProviderRequest;

function textMessages(call: Call, text: string, keyboard?: Keyboard): ProviderRequest[] {
  if (text.length === 0) return [];
  const parts = splitText(text, maxTextLength);
  // The keyboard goes with the last part, under the text it answers.
  return parts.map((part, index) =>
    keyboard !== undefined && index === parts.length - 1
      ? call('sendMessage', { text: part, reply_markup: { inline_keyboard: keyboard } })
      : call('sendMessage', { text: part }),
  );
}

function mediaMessages(
  call: Call,
  method: string,
  field: string,
  media: unknown,
  caption: unknown,
  keyboard?: Keyboard,
): ProviderRequest[] {
  const markup = keyboard === undefined ? {} : { reply_markup: { inline_keyboard: keyboard } };
  if (typeof caption !== 'string' || caption.length === 0)
    return [call(method, { [field]: media, ...markup })];
  if (caption.length <= maxCaptionLength) return [call(method, { [field]: media, caption, ...markup })];
  // A caption Telegram would refuse: the media alone, then the text as messages.
  return [call(method, { [field]: media }), ...textMessages(call, caption, keyboard)];
}

function cardMessages(call: Call, card: CardPayload): ProviderRequest[] {
  const keyboard = card.actions.map((action): TelegramInlineButton[] => {
    switch (action.action) {
      case 'Open URL':
        return [{ text: action.title, url: action.url }];
      case 'Postback':
        return [{ text: action.title, callback_data: action.payload }];
      case 'Say something':
        return [{ text: action.title, callback_data: action.text }];
      default: {
        const unknownAction: never = action;
        throw new Error(`unknown card action ${JSON.stringify(unknownAction)}`);
      }
    }
  });
  if (!keyboard.flat().every(fitsCallbackData)) {
    return payloadAsTexts(card).flatMap((text) => textMessages(call, text));
  }
  const markup = keyboard.length > 0 ? keyboard : undefined;
  const text = [card.title, card.subtitle].filter((line) => line !== undefined && line.length > 0).join('\n');
  if (card.image !== undefined) return mediaMessages(call, 'sendPhoto', 'photo', card.image, text, markup);
  return textMessages(call, text, markup);
}

function choiceMessages(
  call: Call,
  payload: Payload,
  prompt: string,
  choices: readonly Choice[],
): ProviderRequest[] {
  const keyboard = choices.map((choice) => [{ text: choice.title, callback_data: choice.value }]);
  if (choices.length === 0 || !keyboard.flat().every(fitsCallbackData)) {
    return payloadAsTexts(payload).flatMap((text) => textMessages(call, text));
  }
  // Telegram refuses an empty message text; without a prompt the numbered titles stand in.
  const text = prompt.length > 0 ? prompt : payloadAsTexts(payload).join('\n');
  return textMessages(call, text, keyboard);
}

function fitsCallbackData(button: TelegramInlineButton): boolean {
  if (button.callback_data === undefined) return true;
  const bytes = Buffer.byteLength(button.callback_data, 'utf8');
  return bytes >= 1 && bytes <= maxCallbackDataBytes;
}

/** Numeric chat ids go as numbers, `@channelusername` as it is. */
function chatIdOf(thread: string): number | string {
  return /^-?\d+$/.test(thread) ? Number(thread) : thread;
}
