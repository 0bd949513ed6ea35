import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { type MessengerFake, sendToFake, startMessengerFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messengerAdapter } from './adapter.js';
import type { MessengerConfig } from './config.js';

const address: ChannelAddress = { identity: '*', sender: '6789012345', thread: '*' };

const everyPayload: Payload[] = [
  { type: 'text', text: 'Hello' },
  { type: 'image', image: 'https://cdn.test/i.png' },
  { type: 'audio', audio: 'https://cdn.test/a.mp3' },
  { type: 'voice', audio: 'https://cdn.test/v.ogg' },
  { type: 'video', video: 'https://cdn.test/v.mp4' },
  { type: 'file', file: 'https://cdn.test/f.pdf' },
  { type: 'location', latitude: 1.5, longitude: 2.5 },
  { type: 'card', title: 'Card', actions: [{ action: 'Postback', title: 'Go', payload: 'GO' }] },
  {
    type: 'carousel',
    items: [
      { title: 'One', actions: [] },
      { title: 'Two', actions: [] },
    ],
  },
  { type: 'single-choice', text: 'Pick', choices: [{ title: 'A', value: 'a' }] },
  { type: 'dropdown', message: 'Pick', options: [{ label: 'B', value: 'b' }] },
];

describe('messenger adapter against the fake Send API', () => {
  let fake: MessengerFake;
  let config: MessengerConfig;

  beforeAll(async () => {
    fake = await startMessengerFake();
    config = {
      appSecret: fake.appSecret,
      accessToken: fake.pageAccessToken,
      verifyToken: fake.verifyToken,
    };
  });
  afterAll(() => fake.close());

  const send = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

  it('delivers every payload type and reads back the message ids the fake gave', async () => {
    for (const payload of everyPayload) {
      const before = fake.requests.length;
      for (const request of messengerAdapter.render(payload, address, config)) {
        const outcome = messengerAdapter.interpretSend(await send(request));
        expect(outcome, payload.type).toEqual({
          kind: 'sent',
          providerMessageId: fake.sentMessageIds.at(-1),
        });
      }
      const received = fake.requests.slice(before);
      expect(received.length, payload.type).toBeGreaterThan(0);
      for (const request of received) {
        expect(request.path).toBe('/v23.0/me/messages');
        expect(request.json).toMatchObject({ recipient: { id: address.sender }, messaging_type: 'RESPONSE' });
      }
    }
  });

  it('delivers the typing indicator', async () => {
    const typing = messengerAdapter.renderTyping(address, config, 'on');
    expect(typing).not.toBeNull();
    const outcome = messengerAdapter.interpretSend(await send(typing!));
    expect(outcome).toEqual({ kind: 'sent' });
    expect(fake.requests.at(-1)?.json).toEqual({
      recipient: { id: address.sender },
      sender_action: 'typing_on',
    });
  });

  it('retries a scripted 429 after its Retry-After, fails a 400 with Graph’s message', async () => {
    const [request] = messengerAdapter.render({ type: 'text', text: 'again' }, address, config);
    fake.failNext({ status: 429, retryAfterSeconds: 3 });
    expect(messengerAdapter.interpretSend(await send(request!))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 3000,
    });

    fake.failNext({
      status: 400,
      body: {
        error: {
          message: '(#551) This person isn’t available right now.',
          type: 'OAuthException',
          code: 551,
        },
      },
    });
    expect(messengerAdapter.interpretSend(await send(request!))).toEqual({
      kind: 'failed',
      reason: '(#551) This person isn’t available right now. (code 551)',
    });
    expect(messengerAdapter.interpretSend(await send(request!))).toMatchObject({ kind: 'sent' });
  });

  it('is refused with a wrong page token', async () => {
    const [request] = messengerAdapter.render({ type: 'text', text: 'x' }, address, {
      ...config,
      accessToken: 'bad',
    });
    const outcome = messengerAdapter.interpretSend(await send(request!));
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('Invalid OAuth access token'),
    });
  });

  it("accepts the fake's signed webhook and parses it", () => {
    const payload = {
      object: 'page',
      entry: [
        {
          id: 'page',
          time: 1,
          messaging: [
            {
              sender: { id: 'psid' },
              recipient: { id: 'page' },
              timestamp: 1,
              message: { mid: 'm_in', text: 'hey' },
            },
          ],
        },
      ],
    };
    const { headers, body } = fake.signedWebhook(payload);
    const request: InboundRequest = {
      method: 'POST',
      url: 'https://sb.test/w',
      headers,
      query: {},
      rawBody: Buffer.from(body),
    };
    expect(messengerAdapter.verify(request, config, { nowSeconds: 0 })).toEqual({ ok: true });
    expect(messengerAdapter.parse(request, config)).toMatchObject([
      { kind: 'message', providerEventId: 'm_in', payload: { type: 'text', text: 'hey' } },
    ]);
    const otherSecret = { ...config, appSecret: 'not-the-fake-secret' };
    expect(messengerAdapter.verify(request, otherSecret, { nowSeconds: 0 })).toMatchObject({ ok: false });
  });
});
