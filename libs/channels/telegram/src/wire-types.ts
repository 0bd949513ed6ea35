/** The parts of the Bot API objects we read (https://core.telegram.org/bots/api#available-types). */

export interface TelegramUser {
  id: number;
  is_bot?: boolean;
}

export interface TelegramChat {
  id: number;
}

export interface TelegramFile {
  file_id: string;
  file_name?: string;
  mime_type?: string;
  title?: string;
}

export interface TelegramInlineButton {
  text: string;
  url?: string;
  callback_data?: string;
}

export interface TelegramMessage {
  message_id: number;
  date: number;
  from?: TelegramUser;
  chat: TelegramChat;
  text?: string;
  caption?: string;
  photo?: TelegramFile[];
  audio?: TelegramFile;
  voice?: TelegramFile;
  video?: TelegramFile;
  video_note?: TelegramFile;
  animation?: TelegramFile;
  document?: TelegramFile;
  sticker?: TelegramFile & { emoji?: string };
  location?: { latitude: number; longitude: number };
  venue?: { location: { latitude: number; longitude: number }; title: string; address: string };
  reply_markup?: { inline_keyboard?: TelegramInlineButton[][] };
}

export interface TelegramCallbackQuery {
  id: string;
  from: TelegramUser;
  message?: TelegramMessage;
  data?: string;
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
}
