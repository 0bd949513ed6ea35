import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { type SlackFake, sendToFake, startSlackFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackConfig, slackAdapter } from './index.js';

let fake: SlackFake;
let config: SlackConfig;
const address: ChannelAddress = { identity: '*', sender: 'U1', thread: 'C42' };

beforeAll(async () => {
  fake = await startSlackFake();
  config = { botToken: fake.botToken, signingSecret: fake.signingSecret };
});
afterAll(() => fake.close());

const call = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

async function send(payload: Payload, settings = config) {
  const outcomes = [];
  for (const request of slackAdapter.render(payload, address, settings)) {
    outcomes.push(slackAdapter.interpretSend(await call(request)));
  }
  return outcomes;
}

function inbound(signed: { headers: Record<string, string>; body: string }): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.example/webhooks/c1/slack',
    headers: signed.headers,
    query: {},
    rawBody: Buffer.from(signed.body),
  };
}

const card = {
  title: 'Shoe',
  subtitle: 'Red <b>',
  image: 'https://example.com/shoe.png',
  actions: [
    { action: 'Open URL', title: 'Shop', url: 'https://example.com/shop' },
    { action: 'Postback', title: 'Buy', payload: 'BUY' },
    { action: 'Say something', title: 'x'.repeat(100), text: 'long title' },
  ],
};
const everyPayload: Payload[] = [
  { type: 'text', text: 'hello & welcome' },
  { type: 'image', image: 'https://example.com/a.png' },
  { type: 'audio', audio: 'https://example.com/a.mp3' },
  { type: 'voice', audio: 'https://example.com/v.ogg' },
  { type: 'video', video: 'https://example.com/v.mp4', title: 'Clip' },
  { type: 'file', file: 'https://example.com/f.pdf' },
  { type: 'location', latitude: 48.85, longitude: 2.35 },
  { type: 'card', ...card },
  { type: 'carousel', items: Array.from({ length: 11 }, () => card) },
  {
    type: 'single-choice',
    text: '',
    choices: Array.from({ length: 30 }, (_, i) => ({ title: `C${i}`, value: `${i}` })),
  },
  { type: 'dropdown', message: 'Size', options: [{ label: 'S', value: 's' }] },
];

describe('slack adapter against the fake Web API', () => {
  it('gets every payload type accepted, each with <channel>:<ts>', async () => {
    const before = fake.sent().length;
    let rendered = 0;
    for (const payload of everyPayload) {
      const outcomes = await send(payload);
      rendered += outcomes.length;
      expect(outcomes.length).toBeGreaterThan(0);
      for (const outcome of outcomes)
        expect(outcome).toMatchObject({ kind: 'sent', providerMessageId: /^C42:\d+\.\d+$/ });
    }
    expect(fake.sent().length - before).toBe(rendered);
    expect(fake.sent()[before]?.json).toEqual({ channel: 'C42', text: 'hello &amp; welcome', mrkdwn: false });
  });

  it('reads a scripted 429 as a retry after Retry-After, and Slack errors as failed with their code', async () => {
    fake.failNext({ status: 429, retryAfterSeconds: 4 });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'retry', reason: 'rate limited: ratelimited', retryAfterMs: 4000 },
    ]);
    fake.failNextWithError('channel_not_found');
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'failed', reason: 'channel_not_found' },
    ]);
    fake.failNext({ status: 400, body: { ok: false, error: 'invalid_arguments' } });
    expect(await send({ type: 'text', text: 'a' })).toEqual([
      { kind: 'failed', reason: 'invalid_arguments' },
    ]);
    fake.failNext({ status: 500 });
    expect((await send({ type: 'text', text: 'a' }))[0]?.kind).toBe('retry');
  });

  it('is refused with a wrong bot token', async () => {
    expect(await send({ type: 'text', text: 'a' }, { ...config, botToken: 'xoxb-wrong' })).toEqual([
      { kind: 'failed', reason: 'invalid_auth' },
    ]);
  });

  it('verifies and parses what the fake signs, and rejects stale or tampered requests', () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const event = inbound(fake.signedWebhook(fake.messageEvent({ user: 'U1', channel: 'C42', text: 'hi' })));
    expect(slackAdapter.verify(event, config, { nowSeconds })).toEqual({ ok: true });
    expect(slackAdapter.parse(event, config)).toMatchObject([
      { kind: 'message', address: { sender: 'U1', thread: 'C42' }, payload: { type: 'text', text: 'hi' } },
    ]);
    const tampered = { ...event, rawBody: Buffer.from(event.rawBody.toString().replace('hi', 'ho')) };
    expect(slackAdapter.verify(tampered, config, { nowSeconds }).ok).toBe(false);
    const stale = inbound(fake.signedWebhook({ type: 'event_callback' }, nowSeconds - 600));
    expect(slackAdapter.verify(stale, config, { nowSeconds }).ok).toBe(false);

    const press = inbound(
      fake.signedInteraction(fake.buttonPress({ user: 'U1', channel: 'C42', title: 'Red', value: 'RED' })),
    );
    expect(slackAdapter.verify(press, config, { nowSeconds })).toEqual({ ok: true });
    expect(slackAdapter.parse(press, config)).toMatchObject([
      { payload: { type: 'text', text: 'Red', value: 'RED' } },
    ]);

    const challenge = inbound(fake.signedWebhook({ type: 'url_verification', challenge: 'abc', token: 't' }));
    expect(slackAdapter.verify(challenge, config, { nowSeconds }).ok).toBe(true);
    expect(slackAdapter.handshake(challenge, config)).toMatchObject({ status: 200, body: 'abc' });
  });
});
