import { isRecord, parseJson } from '@switchboard/channel-common';
import type { ChannelAddress, InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';
import type { TelegramCallbackQuery, TelegramMessage, TelegramUpdate } from './wire-types.js';

/**
 * One update → at most one inbound message. Handled: `message` (text, photo, audio, voice, video,
 * video note, animation, document, sticker, location, venue) and `callback_query` (an inline button
 * pressed: text = the button's title, `value` = its callback data). Ignored (nothing returned): edited
 * messages, channel posts, messages without a sender, and kinds we have no payload for (contacts, polls, …).
 * Telegram has no delivery or read receipts for bots, so there are no status updates.
 *
 * Media are Telegram `file_id`s, not URLs: fetching one needs `getFile` with the bot token, and sending
 * a `file_id` back through `render` re-sends the same file without uploading it.
 */
export function parseTelegram(request: InboundRequest): NormalizedInbound[] {
  const update = parseJson(request.rawBody);
  if (!isRecord(update) || typeof update.update_id !== 'number') return [];
  const { update_id: updateId, message, callback_query: callback } = update as unknown as TelegramUpdate;
  const providerEventId = String(updateId);
  if (message !== undefined) {
    const inbound = fromMessage(message);
    return inbound === null ? [] : [{ kind: 'message', providerEventId, ...inbound }];
  }
  if (callback !== undefined) {
    const inbound = fromCallback(callback);
    return inbound === null ? [] : [{ kind: 'message', providerEventId, ...inbound }];
  }
  return [];
}

interface ParsedMessage {
  address: ChannelAddress;
  payload: Payload;
  providerMessageId?: string;
  receivedAt?: string;
}

function fromMessage(message: TelegramMessage): ParsedMessage | null {
  if (message.from === undefined || !isRecord(message.chat)) return null;
  const payload = messagePayload(message);
  if (payload === null) return null;
  return {
    address: addressOf(message.from.id, message.chat.id),
    payload,
    providerMessageId: telegramMessageId(message.chat.id, message.message_id),
    receivedAt: new Date(message.date * 1000).toISOString(),
  };
}

function fromCallback(callback: TelegramCallbackQuery): ParsedMessage | null {
  const chat = callback.message?.chat;
  if (chat === undefined || typeof callback.data !== 'string') return null;
  const buttons = callback.message?.reply_markup?.inline_keyboard?.flat() ?? [];
  const title = buttons.find((button) => button.callback_data === callback.data)?.text;
  return {
    address: addressOf(callback.from.id, chat.id),
    payload: { type: 'text', text: title ?? callback.data, value: callback.data },
  };
}

function messagePayload(message: TelegramMessage): Payload | null {
  const caption = message.caption;
  if (typeof message.text === 'string') return { type: 'text', text: message.text };
  const largestPhoto = message.photo?.at(-1);
  if (largestPhoto) return media('image', largestPhoto.file_id, caption);
  if (message.animation) return media('video', message.animation.file_id, caption);
  if (message.video) return media('video', message.video.file_id, caption);
  if (message.video_note) return media('video', message.video_note.file_id, caption);
  if (message.voice) return { type: 'voice', audio: message.voice.file_id };
  if (message.audio) return media('audio', message.audio.file_id, caption ?? message.audio.title);
  if (message.document) return media('file', message.document.file_id, caption ?? message.document.file_name);
  if (message.sticker) return media('image', message.sticker.file_id, message.sticker.emoji);
  if (message.venue) {
    const { location, title, address } = message.venue;
    return { type: 'location', latitude: location.latitude, longitude: location.longitude, title, address };
  }
  if (message.location) {
    return { type: 'location', latitude: message.location.latitude, longitude: message.location.longitude };
  }
  return null;
}

function media(
  type: 'image' | 'audio' | 'video' | 'file',
  fileId: string,
  title: string | undefined,
): Payload {
  return title === undefined ? { type, [type]: fileId } : { type, [type]: fileId, title };
}

function addressOf(fromId: number, chatId: number): ChannelAddress {
  return { identity: '*', sender: String(fromId), thread: String(chatId) };
}

/** Telegram message ids are per chat; ours are `<chat id>:<message id>` so they are unique per bot. */
export function telegramMessageId(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}
