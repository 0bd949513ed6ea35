import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { sendToFake, startTelegramFake, type TelegramFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TelegramConfig, telegramAdapter } from './index.js';

let fake: TelegramFake;
let config: TelegramConfig;
const address: ChannelAddress = { identity: '*', sender: '7', thread: '7' };

beforeAll(async () => {
  fake = await startTelegramFake();
  config = { botToken: fake.botToken, webhookSecret: fake.webhookSecret };
});
afterAll(() => fake.close());

const call = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

async function send(payload: Payload, settings = config) {
  const outcomes = [];
  for (const request of telegramAdapter.render(payload, address, settings)) {
    outcomes.push(telegramAdapter.interpretSend(await call(request)));
  }
  return outcomes;
}

const card = {
  title: 'Shoe',
  image: 'https://example.com/shoe.png',
  actions: [
    { action: 'Open URL', title: 'Shop', url: 'https://example.com/shop' },
    { action: 'Postback', title: 'Buy', payload: 'BUY' },
  ],
};
const everyPayload: Payload[] = [
  { type: 'text', text: 'hello' },
  { type: 'image', image: 'https://example.com/a.png', title: 'A' },
  { type: 'audio', audio: 'https://example.com/a.mp3' },
  { type: 'voice', audio: 'https://example.com/v.ogg' },
  { type: 'video', video: 'https://example.com/v.mp4' },
  { type: 'file', file: 'https://example.com/f.pdf', title: 'F' },
  { type: 'location', latitude: 48.85, longitude: 2.35, title: 'Paris', address: 'Place' },
  { type: 'card', ...card },
  { type: 'carousel', items: [card, card] },
  { type: 'single-choice', text: 'Pick', choices: [{ title: 'Red', value: 'RED' }] },
  { type: 'dropdown', message: 'Size', options: [{ label: 'S', value: 's' }] },
];

describe('telegram adapter against the fake Bot API', () => {
  it('gets every payload type accepted, each with a message id', async () => {
    const before = fake.sent().length;
    for (const payload of everyPayload) {
      const outcomes = await send(payload);
      expect(outcomes.length).toBeGreaterThan(0);
      for (const outcome of outcomes)
        expect(outcome).toMatchObject({ kind: 'sent', providerMessageId: /^7:\d+$/ });
    }
    const methods = fake
      .sent()
      .slice(before)
      .map((request) => request.path.split('/').at(-1));
    expect(methods).toEqual([
      'sendMessage',
      'sendPhoto',
      'sendAudio',
      'sendVoice',
      'sendVideo',
      'sendDocument',
      'sendVenue',
      'sendPhoto',
      'sendPhoto',
      'sendPhoto',
      'sendMessage',
      'sendMessage',
    ]);
    expect(fake.sent().at(-1)?.json).toMatchObject({
      chat_id: 7,
      reply_markup: { inline_keyboard: [[{ text: 'S', callback_data: 's' }]] },
    });
  });

  it('gets the typing indicator accepted', async () => {
    const outcome = telegramAdapter.interpretSend(
      await call(telegramAdapter.renderTyping(address, config, 'on')!),
    );
    expect(outcome).toEqual({ kind: 'sent' });
    expect(fake.requests.at(-1)?.json).toEqual({ chat_id: 7, action: 'typing' });
  });

  it('reads a scripted 429 as a retry after retry_after, and a 400 as failed with its description', async () => {
    fake.failNext({ status: 429, retryAfterSeconds: 3 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'retry', reason: 'rate limited: Too Many Requests: retry after 3', retryAfterMs: 3000 },
    ]);
    fake.failNext({ status: 400 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'failed', reason: 'Bad Request: chat not found' },
    ]);
    fake.failNext({ status: 500 });
    expect((await send({ type: 'text', text: 'a' }))[0]?.kind).toBe('retry');
  });

  it('lets a test wait for requests with a deadline', async () => {
    const count = fake.requests.length;
    const waiting = fake.waitForRequests(count + 1);
    await send({ type: 'text', text: 'awaited' });
    expect((await waiting).at(-1)?.json).toMatchObject({ text: 'awaited' });
    await expect(fake.waitForRequests(count + 5, 50)).rejects.toThrow('fake received');
  });

  it('is refused with a wrong bot token', async () => {
    expect(await send({ type: 'text', text: 'a' }, { ...config, botToken: '1:wrong' })).toEqual([
      { kind: 'failed', reason: 'Unauthorized' },
    ]);
  });

  it('verifies and parses the webhooks the fake signs, and rejects a wrong secret', () => {
    const { headers, body } = fake.signedWebhook(fake.textUpdate({ fromId: 7, text: 'hi there' }));
    const request: InboundRequest = {
      method: 'POST',
      url: 'https://sb.example/webhooks/c1/telegram',
      headers,
      query: {},
      rawBody: Buffer.from(body),
    };
    expect(telegramAdapter.verify(request, config, { nowSeconds: 0 })).toEqual({ ok: true });
    expect(telegramAdapter.parse(request, config)).toMatchObject([
      { kind: 'message', address: { sender: '7', thread: '7' }, payload: { type: 'text', text: 'hi there' } },
    ]);
    const other = { ...config, webhookSecret: 'another-secret' };
    expect(telegramAdapter.verify(request, other, { nowSeconds: 0 }).ok).toBe(false);

    const pressed = fake.signedWebhook(fake.callbackUpdate({ fromId: 7, data: 'RED', title: 'Red' }));
    const press: InboundRequest = {
      ...request,
      headers: pressed.headers,
      rawBody: Buffer.from(pressed.body),
    };
    expect(telegramAdapter.parse(press, config)).toMatchObject([
      { payload: { type: 'text', text: 'Red', value: 'RED' } },
    ]);
  });
});
