import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { type SmoochFake, sendToFake, startSmoochFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smoochAdapter } from './adapter.js';
import type { SmoochConfig } from './config.js';

const address: ChannelAddress = { identity: '*', sender: 'user-9', thread: 'conversation-9' };

const everyPayload: Payload[] = [
  { type: 'text', text: 'Hello' },
  { type: 'image', image: 'https://cdn.test/i.png' },
  { type: 'audio', audio: 'https://cdn.test/a.mp3' },
  { type: 'voice', audio: 'https://cdn.test/v.ogg' },
  { type: 'video', video: 'https://cdn.test/v.mp4' },
  { type: 'file', file: 'https://cdn.test/f.pdf' },
  { type: 'location', latitude: 1.5, longitude: 2.5 },
  { type: 'card', title: 'Card', actions: [{ action: 'Postback', title: 'Go', payload: 'GO' }] },
  { type: 'card', title: 'Bare card', actions: [] },
  {
    type: 'carousel',
    items: [
      { title: 'One', actions: [{ action: 'Open URL', title: 'Open', url: 'https://x.test' }] },
      { title: 'Two', actions: [] },
    ],
  },
  { type: 'single-choice', text: 'Pick', choices: [{ title: 'A', value: 'a' }] },
  { type: 'dropdown', message: 'Pick', options: [{ label: 'B', value: 'b' }] },
];

describe('smooch adapter against the fake Sunshine Conversations API', () => {
  let fake: SmoochFake;
  let config: SmoochConfig;

  beforeAll(async () => {
    fake = await startSmoochFake();
    config = {
      appId: fake.appId,
      keyId: fake.keyId,
      keySecret: fake.keySecret,
      webhookSecret: fake.webhookSecret,
    };
  });
  afterAll(() => fake.close());

  const send = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

  it('delivers every payload type and reads back the message ids', async () => {
    for (const payload of everyPayload) {
      const before = fake.messages.length;
      for (const request of smoochAdapter.render(payload, address, config)) {
        const outcome = smoochAdapter.interpretSend(await send(request));
        expect(outcome, payload.type).toEqual({ kind: 'sent', providerMessageId: fake.messages.at(-1)?.id });
      }
      const accepted = fake.messages.slice(before);
      expect(accepted.length, payload.type).toBeGreaterThan(0);
      for (const message of accepted) {
        expect(message.conversationId).toBe(address.thread);
        expect(message.author).toEqual({ type: 'business' });
      }
    }
  });

  it('delivers typing as an activity', async () => {
    const typing = smoochAdapter.renderTyping(address, config, 'on');
    expect(smoochAdapter.interpretSend(await send(typing!))).toEqual({ kind: 'sent' });
    expect(fake.activities.at(-1)).toEqual({ conversationId: address.thread, type: 'typing:start' });
  });

  it('is refused with a wrong key secret', async () => {
    const [request] = smoochAdapter.render({ type: 'text', text: 'x' }, address, {
      ...config,
      keySecret: 'nope',
    });
    expect(smoochAdapter.interpretSend(await send(request!))).toEqual({
      kind: 'failed',
      reason: 'unauthorized: Authorization is required',
    });
  });

  it('retries a scripted 429 after Retry-After and fails a 400 with its errors', async () => {
    const [request] = smoochAdapter.render({ type: 'text', text: 'again' }, address, config);
    fake.failNext({ status: 429, retryAfterSeconds: 2 });
    expect(smoochAdapter.interpretSend(await send(request!))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 2000,
    });
    fake.failNext({
      status: 400,
      body: { errors: [{ code: 'conversation_not_found', title: 'Conversation not found' }] },
    });
    expect(smoochAdapter.interpretSend(await send(request!))).toEqual({
      kind: 'failed',
      reason: 'conversation_not_found: Conversation not found',
    });
    expect(smoochAdapter.interpretSend(await send(request!))).toMatchObject({ kind: 'sent' });
  });

  it("accepts the fake's webhook and parses it", () => {
    const { headers, body } = fake.signedWebhook(
      fake.userMessageWebhook({ userId: address.sender, conversationId: address.thread, text: 'hi' }),
    );
    const request: InboundRequest = {
      method: 'POST',
      url: 'https://sb.test/w',
      headers,
      query: {},
      rawBody: Buffer.from(body),
    };
    expect(smoochAdapter.verify(request, config, { nowSeconds: 0 })).toEqual({ ok: true });
    expect(smoochAdapter.parse(request, config)).toMatchObject([
      { kind: 'message', address, payload: { type: 'text', text: 'hi' } },
    ]);
    expect(
      smoochAdapter.verify(request, { ...config, webhookSecret: 'other' }, { nowSeconds: 0 }),
    ).toMatchObject({ ok: false });
  });
});
