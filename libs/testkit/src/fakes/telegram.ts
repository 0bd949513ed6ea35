import { type HttpFake, type RecordedRequest, type ScriptedFailure, startHttpFake } from './http-fake.js';

/**
 * A fake Telegram Bot API (https://core.telegram.org/bots/api): `POST /bot<token>/<method>` with a
 * JSON or form body, answers `{ ok: true, result }` or `{ ok: false, error_code, description }`
 * (401 for a wrong token, `parameters.retry_after` on 429), and signs webhooks the way Telegram does:
 * the `secret_token` echoed in `X-Telegram-Bot-Api-Secret-Token`.
 */

export interface TelegramFakeOptions {
  botToken?: string;
  webhookSecret?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface TelegramFake extends HttpFake {
  botToken: string;
  webhookSecret: string;
  /** The accepted calls to a send method (sendMessage, sendPhoto, …), in order. */
  sent(): RecordedRequest[];
  /** An update as Telegram would post it to the webhook, with its secret header. */
  signedWebhook(update: object): SignedWebhook;
  /** A text message update from a person (`fromId`) in a chat, with a fresh `update_id`. */
  textUpdate(options: { fromId: number; chatId?: number; text: string }): TelegramUpdateShape;
  /** An inline button press (`callback_query`) on a message that carried that button. */
  callbackUpdate(options: {
    fromId: number;
    chatId?: number;
    data: string;
    title: string;
  }): TelegramUpdateShape;
}

export type TelegramUpdateShape = { update_id: number } & Record<string, unknown>;

const sendMethods = new Set([
  'sendMessage',
  'sendPhoto',
  'sendAudio',
  'sendVoice',
  'sendVideo',
  'sendDocument',
  'sendLocation',
  'sendVenue',
]);
const booleanMethods = new Set(['sendChatAction', 'setWebhook', 'answerCallbackQuery', 'deleteWebhook']);

export async function startTelegramFake(options: TelegramFakeOptions = {}): Promise<TelegramFake> {
  const botToken = options.botToken ?? '123456:TEST-fake-bot-token';
  const webhookSecret = options.webhookSecret ?? 'telegram-fake-webhook-secret';
  let nextMessageId = 1;
  let nextUpdateId = 100_000;
  let nextCallbackId = 1;
  const accepted = new Set<RecordedRequest>();

  const fake = await startHttpFake((request, takeFailure) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.path);
    if (!match) return apiError(404, 'Not Found');
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== botToken) return apiError(401, 'Unauthorized');
    if (request.method !== 'POST' && request.method !== 'GET') return apiError(405, 'Method Not Allowed');
    if (!sendMethods.has(method) && !booleanMethods.has(method))
      return apiError(404, 'Not Found: method not found');
    const params = (request.json ?? request.form ?? {}) as Record<string, unknown>;
    if (method !== 'setWebhook' && method !== 'answerCallbackQuery' && params.chat_id === undefined) {
      return apiError(400, 'Bad Request: chat_id is empty');
    }
    if (method === 'sendMessage' && (typeof params.text !== 'string' || params.text.length === 0)) {
      return apiError(400, 'Bad Request: message text is empty');
    }
    const failure = takeFailure();
    if (failure) return scriptedFailure(failure);
    if (booleanMethods.has(method)) return { status: 200, body: { ok: true, result: true } };
    accepted.add(request);
    const chatId = Number(params.chat_id);
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
          ...(typeof params.text === 'string' ? { text: params.text } : {}),
        },
      },
    };
  });

  const message = (fromId: number, chatId: number, rest: object) => ({
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    from: { id: fromId, is_bot: false, first_name: 'Test' },
    chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
    ...rest,
  });

  return {
    ...fake,
    botToken,
    webhookSecret,
    sent: () => fake.requests.filter((request) => accepted.has(request)),
    signedWebhook: (update) => ({
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret },
      body: JSON.stringify(update),
    }),
    textUpdate: ({ fromId, chatId = fromId, text }) => ({
      update_id: nextUpdateId++,
      message: message(fromId, chatId, { text }),
    }),
    callbackUpdate: ({ fromId, chatId = fromId, data, title }) => ({
      update_id: nextUpdateId++,
      callback_query: {
        id: String(nextCallbackId++),
        from: { id: fromId, is_bot: false, first_name: 'Test' },
        chat_instance: '1',
        data,
        message: message(0, chatId, {
          text: 'Pick one',
          reply_markup: { inline_keyboard: [[{ text: title, callback_data: data }]] },
        }),
      },
    }),
  };
}

function apiError(status: number, description: string, parameters?: object) {
  return {
    status,
    body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
  };
}

function scriptedFailure(failure: ScriptedFailure) {
  if (failure.body !== undefined) return { status: failure.status, body: failure.body };
  if (failure.status === 429) {
    const seconds = failure.retryAfterSeconds ?? 1;
    return apiError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });
  }
  if (failure.status === 400) return apiError(400, 'Bad Request: chat not found');
  if (failure.status === 403) return apiError(403, 'Forbidden: bot was blocked by the user');
  return apiError(failure.status, failure.status >= 500 ? 'Internal Server Error' : 'Error');
}
