import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { sendToFake, startVonageFake, type VonageFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VonageConfig, vonageAdapter } from './index.js';

let fake: VonageFake;
let config: VonageConfig;
const address: ChannelAddress = { identity: '447700900000', sender: '447700900001', thread: '*' };

beforeAll(async () => {
  fake = await startVonageFake();
  config = { apiKey: fake.apiKey, apiSecret: fake.apiSecret, signatureSecret: fake.signatureSecret };
});
afterAll(() => fake.close());

const call = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

async function send(payload: Payload, settings: VonageConfig = config) {
  const outcomes = [];
  for (const request of vonageAdapter.render(payload, address, settings)) {
    outcomes.push(vonageAdapter.interpretSend(await call(request)));
  }
  return outcomes;
}

function inbound(signed: { headers: Record<string, string>; body: string }): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.example/webhooks/c1/vonage',
    headers: signed.headers,
    query: {},
    rawBody: Buffer.from(signed.body),
  };
}

const card = {
  title: 'Shoe',
  image: 'https://example.com/s.png',
  actions: [{ action: 'Postback', title: 'Buy', payload: 'B' }],
};
const everyPayload: Payload[] = [
  { type: 'text', text: 'hello' },
  { type: 'image', image: 'https://example.com/a.png', title: 'A' },
  { type: 'audio', audio: 'https://example.com/a.mp3', title: 'Song' },
  { type: 'voice', audio: 'https://example.com/v.ogg' },
  { type: 'video', video: 'https://example.com/v.mp4' },
  { type: 'file', file: 'https://example.com/f.pdf' },
  { type: 'location', latitude: 51.5, longitude: -0.12 },
  { type: 'card', ...card },
  { type: 'carousel', items: [card, card] },
  { type: 'single-choice', text: 'Pick', choices: [{ title: 'Red', value: 'RED' }] },
  { type: 'dropdown', message: 'Size', options: [{ label: 'S', value: 's' }] },
];

describe('vonage adapter against the fake Messages API', () => {
  it.each(['sms', 'mms', 'whatsapp'] as const)(
    'gets every payload type accepted on %s, each with its uuid',
    async (channel) => {
      const before = fake.sent().length;
      let rendered = 0;
      for (const payload of everyPayload) {
        const outcomes = await send(payload, { ...config, channel });
        rendered += outcomes.length;
        for (const outcome of outcomes)
          expect(outcome).toMatchObject({ kind: 'sent', providerMessageId: /^[0-9a-f-]{36}$/ });
      }
      const sent = fake.sent().slice(before);
      expect(sent).toHaveLength(rendered);
      expect(sent.every((request) => (request.json as { channel: string }).channel === channel)).toBe(true);
    },
  );

  it('reads a scripted 429 as a retry after Retry-After, and a 400 as failed with its problem', async () => {
    fake.failNext({ status: 429, retryAfterSeconds: 2 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      {
        kind: 'retry',
        reason: 'rate limited: Rate Limit Hit: Please wait, then retry your request',
        retryAfterMs: 2000,
      },
    ]);
    fake.failNext({ status: 400 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'failed', reason: 'Invalid sender: The `from` parameter is invalid for the given channel.' },
    ]);
    fake.failNext({ status: 502 });
    expect((await send({ type: 'text', text: 'a' }))[0]?.kind).toBe('retry');
  });

  it('is refused with a wrong secret, and with invalid parameters', async () => {
    expect(await send({ type: 'text', text: 'a' }, { ...config, apiSecret: 'wrong' })).toEqual([
      { kind: 'failed', reason: 'Unauthorized: You did not provide correct credentials.' },
    ]);
    const noFrom = vonageAdapter.render({ type: 'text', text: 'a' }, { ...address, identity: '*' }, config);
    expect(vonageAdapter.interpretSend(await call(noFrom[0]!))).toEqual({
      kind: 'failed',
      reason: 'Invalid params: The value of one or more parameters is invalid.',
    });
  });

  it('verifies and parses the webhooks the fake signs, and rejects tampered or stale ones', () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const message = fake.inboundText({ from: '447700900001', to: '447700900000', text: 'hi' });
    const request = inbound(fake.signedWebhook(message));
    expect(vonageAdapter.verify(request, config, { nowSeconds })).toEqual({ ok: true });
    expect(vonageAdapter.parse(request, config)).toMatchObject([
      {
        kind: 'message',
        providerEventId: message.message_uuid,
        address,
        payload: { type: 'text', text: 'hi' },
      },
    ]);
    const tampered = { ...request, rawBody: Buffer.from(request.rawBody.toString().replace('"hi"', '"ho"')) };
    expect(vonageAdapter.verify(tampered, config, { nowSeconds }).ok).toBe(false);
    const stale = inbound(fake.signedWebhook(message, nowSeconds - 3600));
    expect(vonageAdapter.verify(stale, config, { nowSeconds }).ok).toBe(false);

    const status = inbound(fake.signedWebhook(fake.statusUpdate({ messageUuid: 'm1', status: 'delivered' })));
    expect(vonageAdapter.verify(status, config, { nowSeconds }).ok).toBe(true);
    expect(vonageAdapter.parse(status, config)).toMatchObject([
      { kind: 'status', providerMessageId: 'm1', status: 'delivered' },
    ]);
  });
});
