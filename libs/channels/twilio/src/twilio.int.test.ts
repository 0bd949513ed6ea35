import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { sendToFake, startTwilioFake, type TwilioFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TwilioConfig, twilioAdapter } from './index.js';

let fake: TwilioFake;
let config: TwilioConfig;
const address: ChannelAddress = { identity: '+15550001111', sender: '+15552223333', thread: '*' };
const webhookUrl = 'https://sb.example/webhooks/c1/twilio';

beforeAll(async () => {
  fake = await startTwilioFake();
  config = { accountSID: fake.accountSid, authToken: fake.authToken };
});
afterAll(() => fake.close());

const call = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

async function send(payload: Payload, settings = config, to = address) {
  const outcomes = [];
  for (const request of twilioAdapter.render(payload, to, settings)) {
    outcomes.push(twilioAdapter.interpretSend(await call(request)));
  }
  return outcomes;
}

function inbound(signed: { headers: Record<string, string>; body: string }): InboundRequest {
  return {
    method: 'POST',
    url: webhookUrl,
    headers: signed.headers,
    query: {},
    rawBody: Buffer.from(signed.body),
  };
}

const card = {
  title: 'Shoe',
  image: 'https://example.com/shoe.png',
  actions: [{ action: 'Postback', title: 'Buy', payload: 'BUY' }],
};
const everyPayload: Payload[] = [
  { type: 'text', text: 'hello' },
  { type: 'image', image: 'https://example.com/a.png', title: 'A' },
  { type: 'audio', audio: 'https://example.com/a.mp3' },
  { type: 'voice', audio: 'https://example.com/v.ogg' },
  { type: 'video', video: 'https://example.com/v.mp4' },
  { type: 'file', file: 'https://example.com/f.pdf' },
  { type: 'location', latitude: 48.85, longitude: 2.35 },
  { type: 'card', ...card },
  { type: 'carousel', items: [card, card] },
  { type: 'single-choice', text: 'Pick', choices: [{ title: 'Red', value: 'RED' }] },
  { type: 'dropdown', message: 'Size', options: [{ label: 'S', value: 's' }] },
  { type: 'text', text: 'y'.repeat(3000) },
];

describe('twilio adapter against the fake Messaging API', () => {
  it('gets every payload type accepted, each with its message sid', async () => {
    const before = fake.sent().length;
    let rendered = 0;
    for (const payload of everyPayload) {
      const outcomes = await send(payload);
      rendered += outcomes.length;
      for (const outcome of outcomes)
        expect(outcome).toMatchObject({ kind: 'sent', providerMessageId: /^SM[0-9a-f]{32}$/ });
    }
    const sent = fake.sent().slice(before);
    expect(sent).toHaveLength(rendered);
    expect(sent[0]?.form).toEqual({ To: '+15552223333', From: '+15550001111', Body: 'hello' });
    expect(sent[1]?.form).toEqual({
      To: '+15552223333',
      From: '+15550001111',
      MediaUrl: 'https://example.com/a.png',
      Body: 'A',
    });
  });

  it('reads a scripted 429 as a retry after Retry-After, and a 400 as failed with its message', async () => {
    fake.failNext({ status: 429, retryAfterSeconds: 5 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'retry', reason: 'rate limited: Too Many Requests (Twilio error 20429)', retryAfterMs: 5000 },
    ]);
    fake.failNext({ status: 400 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      {
        kind: 'failed',
        reason: "The 'To' number +15005550001 is not a valid phone number. (Twilio error 21211)",
      },
    ]);
    fake.failNext({ status: 503 });
    expect((await send({ type: 'text', text: 'a' }))[0]?.kind).toBe('retry');
  });

  it('is refused with a wrong auth token, and without a From', async () => {
    expect(await send({ type: 'text', text: 'a' }, { ...config, authToken: 'wrong' })).toEqual([
      { kind: 'failed', reason: 'Authenticate (Twilio error 20003)' },
    ]);
    expect(await send({ type: 'text', text: 'a' }, config, { ...address, identity: '*' })).toEqual([
      { kind: 'failed', reason: "A 'From' phone number is required. (Twilio error 21603)" },
    ]);
  });

  it('verifies and parses the webhooks the fake signs, and rejects tampered ones', () => {
    const message = fake.incomingMessage({ from: '+15552223333', to: '+15550001111', body: 'hi' });
    const request = inbound(fake.signedWebhook(webhookUrl, message));
    expect(twilioAdapter.verify(request, config, { nowSeconds: 0 })).toEqual({ ok: true });
    expect(twilioAdapter.parse(request, config)).toEqual([
      {
        kind: 'message',
        providerEventId: message.MessageSid,
        address,
        payload: { type: 'text', text: 'hi' },
        providerMessageId: message.MessageSid,
      },
    ]);
    const tampered = {
      ...request,
      rawBody: Buffer.from(request.rawBody.toString().replace('Body=hi', 'Body=ho')),
    };
    expect(twilioAdapter.verify(tampered, config, { nowSeconds: 0 }).ok).toBe(false);
    expect(
      twilioAdapter.verify({ ...request, url: `${webhookUrl}/other` }, config, { nowSeconds: 0 }).ok,
    ).toBe(false);

    const status = inbound(
      fake.signedWebhook(
        webhookUrl,
        fake.statusCallback({ messageSid: 'SM1', status: 'failed', errorCode: '30008' }),
      ),
    );
    expect(twilioAdapter.verify(status, config, { nowSeconds: 0 }).ok).toBe(true);
    expect(twilioAdapter.parse(status, config)).toEqual([
      {
        kind: 'status',
        providerEventId: 'SM1:failed',
        providerMessageId: 'SM1',
        status: 'failed',
        reason: 'failed: Twilio error 30008',
      },
    ]);
  });
});
