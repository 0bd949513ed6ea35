import type { ChannelAddress, InboundRequest, Payload, ProviderRequest } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import {
  renderTelegramSetWebhook,
  type TelegramConfig,
  telegramAdapter,
  telegramWebhookSecret,
} from './index.js';

const config: TelegramConfig = { botToken: '42:secret-token', webhookSecret: 'hook-secret' };
const address: ChannelAddress = { identity: '*', sender: '7', thread: '-100200' };
const ctx = { nowSeconds: 1_700_000_000 };

function webhook(update: unknown, headers: Record<string, string> = {}): InboundRequest {
  return {
    method: 'POST',
    url: 'https://switchboard.example/webhooks/c1/telegram',
    headers: { 'content-type': 'application/json', ...headers },
    query: {},
    rawBody: Buffer.from(JSON.stringify(update)),
  };
}

const signed = (update: unknown) => webhook(update, { 'x-telegram-bot-api-secret-token': 'hook-secret' });

const message = (rest: object) => ({
  update_id: 500,
  message: { message_id: 9, date: 1_700_000_000, from: { id: 7 }, chat: { id: -100200 }, ...rest },
});

function bodies(requests: ProviderRequest[]): unknown[] {
  return requests.map((request) => {
    expect(request.method).toBe('POST');
    expect(request.body?.kind).toBe('json');
    return { method: request.path.split('/').at(-1), ...(request.body?.value as object) };
  });
}

const render = (payload: Payload) => bodies(telegramAdapter.render(payload, address, config));

describe('telegram verify', () => {
  it('accepts the configured secret token and rejects a wrong or missing one', () => {
    expect(telegramAdapter.verify(signed({}), config, ctx)).toEqual({ ok: true });
    expect(
      telegramAdapter.verify(webhook({}, { 'x-telegram-bot-api-secret-token': 'hook-secreT' }), config, ctx),
    ).toMatchObject({ ok: false, status: 401 });
    expect(telegramAdapter.verify(webhook({}), config, ctx)).toMatchObject({ ok: false, status: 401 });
  });

  it('derives a secret from the bot token when none is configured, and registers it with setWebhook', () => {
    const bare: TelegramConfig = { botToken: '42:secret-token' };
    const derived = telegramWebhookSecret(bare);
    expect(derived).toMatch(/^[0-9a-f]{64}$/);
    expect(telegramWebhookSecret({ botToken: '43:other' })).not.toBe(derived);
    expect(
      telegramAdapter.verify(webhook({}, { 'x-telegram-bot-api-secret-token': derived }), bare, ctx).ok,
    ).toBe(true);
    expect(telegramAdapter.verify(signed({}), bare, ctx).ok).toBe(false);
    const registration = renderTelegramSetWebhook('https://sb.example/webhooks/c1/telegram', bare);
    expect(registration.path).toBe('/bot42:secret-token/setWebhook');
    expect(registration.body?.value).toMatchObject({ secret_token: derived });
  });

  it('has no handshake and marks its secrets', () => {
    expect(telegramAdapter.handshake(signed({}), config)).toBeNull();
    expect(telegramAdapter.secretFields).toEqual(['botToken', 'webhookSecret']);
    expect(telegramAdapter.configSchema.properties.botToken).toMatchObject({ secret: true });
  });
});

describe('telegram parse', () => {
  const parseOne = (update: unknown) => {
    const parsed = telegramAdapter.parse(signed(update), config);
    expect(parsed).toHaveLength(1);
    return parsed[0];
  };

  it('reads a text message with the update id, the endpoint and the message id', () => {
    expect(parseOne(message({ text: 'hello' }))).toEqual({
      kind: 'message',
      providerEventId: '500',
      address: { identity: '*', sender: '7', thread: '-100200' },
      payload: { type: 'text', text: 'hello' },
      providerMessageId: '-100200:9',
      receivedAt: '2023-11-14T22:13:20.000Z',
    });
  });

  it('reads media as file ids, with captions as titles', () => {
    const photo = message({
      photo: [{ file_id: 'small' }, { file_id: 'large' }],
      caption: 'look',
    });
    expect(parseOne(photo)).toMatchObject({ payload: { type: 'image', image: 'large', title: 'look' } });
    expect(parseOne(message({ voice: { file_id: 'v1' } }))).toMatchObject({
      payload: { type: 'voice', audio: 'v1' },
    });
    expect(parseOne(message({ audio: { file_id: 'a1', title: 'Song' } }))).toMatchObject({
      payload: { type: 'audio', audio: 'a1', title: 'Song' },
    });
    expect(parseOne(message({ video: { file_id: 'vid' } }))).toMatchObject({
      payload: { type: 'video', video: 'vid' },
    });
    expect(parseOne(message({ document: { file_id: 'd1', file_name: 'a.pdf' } }))).toMatchObject({
      payload: { type: 'file', file: 'd1', title: 'a.pdf' },
    });
  });

  it('reads locations and venues', () => {
    expect(parseOne(message({ location: { latitude: 1.5, longitude: 2.5 } }))).toMatchObject({
      payload: { type: 'location', latitude: 1.5, longitude: 2.5 },
    });
    const venue = {
      location: { latitude: 1, longitude: 2 },
      venue: { location: { latitude: 1, longitude: 2 }, title: 'Cafe', address: '1 Main St' },
    };
    expect(parseOne(message(venue))).toMatchObject({
      payload: { type: 'location', latitude: 1, longitude: 2, title: 'Cafe', address: '1 Main St' },
    });
  });

  it('reads a pressed inline button as text with the button title and its value', () => {
    const update = {
      update_id: 501,
      callback_query: {
        id: 'cb1',
        from: { id: 7 },
        data: 'RED',
        message: {
          message_id: 3,
          date: 1,
          chat: { id: -100200 },
          reply_markup: { inline_keyboard: [[{ text: 'Red', callback_data: 'RED' }]] },
        },
      },
    };
    expect(parseOne(update)).toEqual({
      kind: 'message',
      providerEventId: '501',
      address: { identity: '*', sender: '7', thread: '-100200' },
      payload: { type: 'text', text: 'Red', value: 'RED' },
    });
    expect(telegramAdapter.acknowledge(signed(update), config)).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: 'cb1' }),
    });
  });

  it('ignores edited messages, unknown kinds and bodies that are not updates', () => {
    expect(telegramAdapter.parse(signed({ update_id: 1, edited_message: {} }), config)).toEqual([]);
    expect(telegramAdapter.parse(signed(message({ contact: { phone_number: '1' } })), config)).toEqual([]);
    expect(telegramAdapter.parse(signed('nope'), config)).toEqual([]);
    expect(telegramAdapter.acknowledge(signed(message({ text: 'x' })), config)).toEqual({ status: 200 });
  });
});

describe('telegram render', () => {
  it('sends to the chat through /bot<token>/<method>', () => {
    const [request] = telegramAdapter.render({ type: 'text', text: 'hi' }, address, config);
    expect(request).toEqual({
      method: 'POST',
      path: '/bot42:secret-token/sendMessage',
      headers: { 'content-type': 'application/json' },
      body: { kind: 'json', value: { chat_id: -100200, text: 'hi' } },
    });
  });

  it('renders text, splitting long texts, and skips empty ones', () => {
    expect(render({ type: 'text', text: 'x'.repeat(5000) })).toHaveLength(2);
    expect(render({ type: 'text', text: '' })).toEqual([]);
  });

  it('renders every media type with its method and caption', () => {
    expect(render({ type: 'image', image: 'https://x/a.png', title: 'A' })).toEqual([
      { method: 'sendPhoto', chat_id: -100200, photo: 'https://x/a.png', caption: 'A' },
    ]);
    expect(render({ type: 'audio', audio: 'https://x/a.mp3' })).toEqual([
      { method: 'sendAudio', chat_id: -100200, audio: 'https://x/a.mp3' },
    ]);
    expect(render({ type: 'voice', audio: 'https://x/v.ogg' })).toEqual([
      { method: 'sendVoice', chat_id: -100200, voice: 'https://x/v.ogg' },
    ]);
    expect(render({ type: 'video', video: 'https://x/v.mp4', title: 'V' })).toEqual([
      { method: 'sendVideo', chat_id: -100200, video: 'https://x/v.mp4', caption: 'V' },
    ]);
    expect(render({ type: 'file', file: 'https://x/f.pdf', title: 'F' })).toEqual([
      { method: 'sendDocument', chat_id: -100200, document: 'https://x/f.pdf', caption: 'F' },
    ]);
    const longCaption = render({ type: 'image', image: 'https://x/a.png', title: 'c'.repeat(2000) });
    expect(longCaption).toEqual([
      { method: 'sendPhoto', chat_id: -100200, photo: 'https://x/a.png' },
      { method: 'sendMessage', chat_id: -100200, text: 'c'.repeat(2000) },
    ]);
  });

  it('renders a location as sendLocation, or sendVenue with a title and an address', () => {
    expect(render({ type: 'location', latitude: 1, longitude: 2 })).toEqual([
      { method: 'sendLocation', chat_id: -100200, latitude: 1, longitude: 2 },
    ]);
    expect(render({ type: 'location', latitude: 1, longitude: 2, title: 'Cafe', address: '1 Main' })).toEqual(
      [
        {
          method: 'sendVenue',
          chat_id: -100200,
          latitude: 1,
          longitude: 2,
          title: 'Cafe',
          address: '1 Main',
        },
      ],
    );
  });

  const card = {
    title: 'Shoe',
    subtitle: 'Red',
    image: 'https://x/shoe.png',
    actions: [
      { action: 'Open URL', title: 'Shop', url: 'https://x/shop' },
      { action: 'Postback', title: 'Buy', payload: 'BUY' },
      { action: 'Say something', title: 'Hi', text: 'hello' },
    ],
  };
  const keyboard = [
    [{ text: 'Shop', url: 'https://x/shop' }],
    [{ text: 'Buy', callback_data: 'BUY' }],
    [{ text: 'Hi', callback_data: 'hello' }],
  ];

  it('renders a card as a photo with an inline keyboard, and a carousel as one card per item', () => {
    expect(render({ type: 'card', ...card })).toEqual([
      {
        method: 'sendPhoto',
        chat_id: -100200,
        photo: 'https://x/shoe.png',
        caption: 'Shoe\nRed',
        reply_markup: { inline_keyboard: keyboard },
      },
    ]);
    const noImage = render({ type: 'card', title: 'T', actions: [] });
    expect(noImage).toEqual([{ method: 'sendMessage', chat_id: -100200, text: 'T' }]);
    const carousel = render({ type: 'carousel', items: [card, { ...card, title: 'Hat', image: undefined }] });
    expect(carousel).toHaveLength(2);
    expect(carousel[1]).toEqual({
      method: 'sendMessage',
      chat_id: -100200,
      text: 'Hat\nRed',
      reply_markup: { inline_keyboard: keyboard },
    });
  });

  it('renders single-choice and dropdown as callback buttons, one per row', () => {
    const choices = [
      { title: 'Red', value: 'RED' },
      { title: 'Blue', value: 'BLUE' },
    ];
    const expected = {
      method: 'sendMessage',
      chat_id: -100200,
      text: 'Pick',
      reply_markup: {
        inline_keyboard: [[{ text: 'Red', callback_data: 'RED' }], [{ text: 'Blue', callback_data: 'BLUE' }]],
      },
    };
    expect(render({ type: 'single-choice', text: 'Pick', choices })).toEqual([expected]);
    const options = choices.map((choice) => ({ label: choice.title, value: choice.value }));
    expect(render({ type: 'dropdown', message: 'Pick', options })).toEqual([expected]);
  });

  it('falls back to numbered text when a value cannot be callback data (over 64 bytes)', () => {
    const long = 'v'.repeat(65);
    expect(render({ type: 'single-choice', text: 'Pick', choices: [{ title: 'A', value: long }] })).toEqual([
      { method: 'sendMessage', chat_id: -100200, text: 'Pick\n1. A' },
    ]);
  });

  it('sends unknown types with a text as text and skips the others', () => {
    expect(render({ type: 'custom', text: 'fallback' })).toEqual([
      { method: 'sendMessage', chat_id: -100200, text: 'fallback' },
    ]);
    expect(render({ type: 'custom', data: 1 })).toEqual([]);
  });

  it('renders typing as sendChatAction', () => {
    expect(bodies([telegramAdapter.renderTyping(address, config, 'on')!])).toEqual([
      { method: 'sendChatAction', chat_id: -100200, action: 'typing' },
    ]);
    expect(telegramAdapter.supportsTyping).toBe(true);
    expect(telegramAdapter.renderTyping(address, config, 'off')).toBeNull();
  });
});

describe('telegram interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    telegramAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the sent message id as <chat id>:<message id>', () => {
    expect(answer(200, { ok: true, result: { message_id: 5, chat: { id: -100200 } } })).toEqual({
      kind: 'sent',
      providerMessageId: '-100200:5',
    });
    expect(answer(200, { ok: true, result: true })).toEqual({ kind: 'sent' });
  });

  it('retries a 429 after parameters.retry_after, and a 5xx', () => {
    const limited = {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    };
    expect(answer(429, limited)).toEqual({
      kind: 'retry',
      reason: 'rate limited: Too Many Requests: retry after 7',
      retryAfterMs: 7000,
    });
    expect(answer(502, { ok: false, error_code: 502, description: 'Bad Gateway' })).toEqual({
      kind: 'retry',
      reason: 'Bad Gateway',
    });
    expect(telegramAdapter.interpretSend({ status: 503, headers: {}, body: '<html>' }).kind).toBe('retry');
  });

  it('fails a 4xx with Telegram description', () => {
    expect(answer(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' })).toEqual({
      kind: 'failed',
      reason: 'Bad Request: chat not found',
    });
    expect(
      answer(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
    ).toEqual({
      kind: 'failed',
      reason: 'Forbidden: bot was blocked by the user',
    });
  });
});
