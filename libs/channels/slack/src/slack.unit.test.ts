import { createHmac } from 'node:crypto';
import type { ChannelAddress, InboundRequest, Payload } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { type SlackConfig, slackAdapter, slackSignature } from './index.js';

const config: SlackConfig = { botToken: 'xoxb-test', signingSecret: 'shh' };
const address: ChannelAddress = { identity: '*', sender: 'U1', thread: 'C1' };
const now = 1_700_000_000;

function request(body: string, headers: Record<string, string>): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.example/webhooks/c1/slack',
    headers,
    query: {},
    rawBody: Buffer.from(body),
  };
}

/** Signed independently of the adapter, with node:crypto. */
function signed(payload: unknown, timestamp = now, form = false): InboundRequest {
  const body = form
    ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
    : JSON.stringify(payload);
  const signature = createHmac('sha256', 'shh').update(`v0:${timestamp}:${body}`).digest('hex');
  return request(body, {
    'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${signature}`,
  });
}

describe('slack verify', () => {
  // The worked example of https://api.slack.com/authentication/verifying-requests-from-slack.
  const docSecret = '8f742231b10e8888abcd99yyyzzz85a5';
  const docTimestamp = 1531420618;
  const docBody =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const docRequest = request(docBody, {
    'x-slack-request-timestamp': String(docTimestamp),
    'x-slack-signature': docSignature,
  });

  it("accepts Slack's documented example", () => {
    expect(slackSignature(docSecret, String(docTimestamp), docBody)).toBe(docSignature);
    const docConfig = { ...config, signingSecret: docSecret };
    expect(slackAdapter.verify(docRequest, docConfig, { nowSeconds: docTimestamp + 60 })).toEqual({
      ok: true,
    });
  });

  it('rejects a tampered body, a wrong secret, a stale or future timestamp and missing headers', () => {
    const docConfig = { ...config, signingSecret: docSecret };
    const ctx = { nowSeconds: docTimestamp };
    const tampered = { ...docRequest, rawBody: Buffer.from(docBody.replace('roadrunner', 'coyote')) };
    expect(slackAdapter.verify(tampered, docConfig, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(slackAdapter.verify(docRequest, config, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(slackAdapter.verify(docRequest, docConfig, { nowSeconds: docTimestamp + 301 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('window'),
    });
    expect(slackAdapter.verify(docRequest, docConfig, { nowSeconds: docTimestamp - 301 }).ok).toBe(false);
    expect(slackAdapter.verify(docRequest, docConfig, { nowSeconds: docTimestamp + 300 }).ok).toBe(true);
    expect(slackAdapter.verify(request(docBody, {}), docConfig, ctx).ok).toBe(false);
  });

  it('accepts a request signed now with the configured secret', () => {
    expect(slackAdapter.verify(signed({ type: 'event_callback' }), config, { nowSeconds: now })).toEqual({
      ok: true,
    });
  });
});

describe('slack handshake', () => {
  it('answers url_verification with the challenge', () => {
    const handshake = signed({ token: 't', challenge: '3eZbrw1aBm2rZgRNFdxV', type: 'url_verification' });
    expect(slackAdapter.handshake(handshake, config)).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: '3eZbrw1aBm2rZgRNFdxV',
    });
    expect(slackAdapter.handshake(signed({ type: 'event_callback' }), config)).toBeNull();
    expect(slackAdapter.parse(handshake, config)).toEqual([]);
  });
});

describe('slack parse', () => {
  const envelope = (event: object) => ({ type: 'event_callback', event_id: 'Ev01', event_time: now, event });
  const message = { type: 'message', user: 'U1', channel: 'C9', text: 'hi', ts: '1700000000.000100' };

  it('reads a message event with the event id, the endpoint and the message id', () => {
    expect(slackAdapter.parse(signed(envelope(message)), config)).toEqual([
      {
        kind: 'message',
        providerEventId: 'Ev01',
        address: { identity: '*', sender: 'U1', thread: 'C9' },
        payload: { type: 'text', text: 'hi' },
        providerMessageId: 'C9:1700000000.000100',
        receivedAt: '2023-11-14T22:13:20.000Z',
      },
    ]);
  });

  it('reads shared files as media, one inbound per file', () => {
    const files = [
      { mimetype: 'image/png', url_private: 'https://files.slack.com/a.png', name: 'a.png' },
      { mimetype: 'application/pdf', url_private: 'https://files.slack.com/b.pdf', title: 'Spec' },
    ];
    const parsed = slackAdapter.parse(
      signed(envelope({ ...message, text: '', subtype: 'file_share', files })),
      config,
    );
    expect(parsed).toMatchObject([
      {
        providerEventId: 'Ev01:file:0',
        payload: { type: 'image', image: 'https://files.slack.com/a.png', title: 'a.png' },
      },
      {
        providerEventId: 'Ev01:file:1',
        payload: { type: 'file', file: 'https://files.slack.com/b.pdf', title: 'Spec' },
      },
    ]);
  });

  it('ignores bot messages, edits and other events', () => {
    expect(slackAdapter.parse(signed(envelope({ ...message, bot_id: 'B1' })), config)).toEqual([]);
    expect(slackAdapter.parse(signed(envelope({ ...message, subtype: 'message_changed' })), config)).toEqual(
      [],
    );
    expect(slackAdapter.parse(signed(envelope({ ...message, type: 'app_mention' })), config)).toEqual([]);
  });

  it('reads a button press and a dropdown choice from interactivity payloads', () => {
    const press = {
      type: 'block_actions',
      trigger_id: 'trig-1',
      user: { id: 'U1' },
      channel: { id: 'C9' },
      actions: [{ type: 'button', text: { type: 'plain_text', text: 'Red' }, value: 'RED' }],
    };
    expect(slackAdapter.parse(signed(press, now, true), config)).toEqual([
      {
        kind: 'message',
        providerEventId: 'trig-1',
        address: { identity: '*', sender: 'U1', thread: 'C9' },
        payload: { type: 'text', text: 'Red', value: 'RED' },
      },
    ]);
    const select = {
      ...press,
      actions: [
        {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'Small' }, value: 's' },
        },
      ],
    };
    expect(slackAdapter.parse(signed(select, now, true), config)).toMatchObject([
      { payload: { type: 'text', text: 'Small', value: 's' } },
    ]);
    const urlButton = {
      ...press,
      actions: [{ type: 'button', text: { type: 'plain_text', text: 'Shop' }, url: 'x' }],
    };
    expect(slackAdapter.parse(signed(urlButton, now, true), config)).toEqual([]);
  });
});

describe('slack render', () => {
  const render = (payload: Payload) =>
    slackAdapter.render(payload, address, config).map((r) => r.body?.value);

  it('posts to chat.postMessage with the bot token', () => {
    expect(slackAdapter.render({ type: 'text', text: 'a < b & c' }, address, config)).toEqual([
      {
        method: 'POST',
        path: '/api/chat.postMessage',
        headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json; charset=utf-8' },
        body: { kind: 'json', value: { channel: 'C1', text: 'a &lt; b &amp; c', mrkdwn: false } },
      },
    ]);
    expect(render({ type: 'text', text: '*bold*', markdown: true })).toEqual([
      { channel: 'C1', text: '*bold*' },
    ]);
    expect(render({ type: 'text', text: 'x'.repeat(4500) })).toHaveLength(2);
    expect(render({ type: 'text', text: '' })).toEqual([]);
  });

  it('renders an image as an image block and other media as links', () => {
    expect(render({ type: 'image', image: 'https://x/a.png', title: 'A' })).toEqual([
      {
        channel: 'C1',
        text: 'A',
        blocks: [
          {
            type: 'image',
            image_url: 'https://x/a.png',
            alt_text: 'A',
            title: { type: 'plain_text', text: 'A', emoji: true },
          },
        ],
      },
    ]);
    expect(render({ type: 'audio', audio: 'https://x/a.mp3', title: 'Song' })).toEqual([
      { channel: 'C1', text: '<https://x/a.mp3|Song>' },
    ]);
    expect(render({ type: 'voice', audio: 'https://x/v.ogg' })).toEqual([
      { channel: 'C1', text: '<https://x/v.ogg>' },
    ]);
    expect(render({ type: 'video', video: 'https://x/v.mp4' })).toEqual([
      { channel: 'C1', text: '<https://x/v.mp4>' },
    ]);
    expect(render({ type: 'file', file: 'https://x/f.pdf', title: 'F' })).toEqual([
      { channel: 'C1', text: '<https://x/f.pdf|F>' },
    ]);
  });

  it('renders a location as a map link', () => {
    expect(render({ type: 'location', latitude: 1, longitude: 2, title: 'Cafe', address: '1 Main' })).toEqual(
      [{ channel: 'C1', text: '<https://www.google.com/maps/search/?api=1&query=1,2|Cafe>\n1 Main' }],
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
  const cardBlocks = (index: number) => [
    { type: 'image', image_url: 'https://x/shoe.png', alt_text: 'Shoe' },
    { type: 'section', text: { type: 'mrkdwn', text: '*Shoe*\nRed' } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: `card${index}-0`,
          text: { type: 'plain_text', text: 'Shop', emoji: true },
          url: 'https://x/shop',
        },
        {
          type: 'button',
          action_id: `card${index}-1`,
          text: { type: 'plain_text', text: 'Buy', emoji: true },
          value: 'BUY',
        },
        {
          type: 'button',
          action_id: `card${index}-2`,
          text: { type: 'plain_text', text: 'Hi', emoji: true },
          value: 'hello',
        },
      ],
    },
  ];

  it('renders a card as blocks and a carousel as cards between dividers', () => {
    expect(render({ type: 'card', ...card })).toEqual([
      { channel: 'C1', text: 'Shoe', blocks: cardBlocks(0) },
    ]);
    expect(render({ type: 'carousel', items: [card, card] })).toEqual([
      {
        channel: 'C1',
        text: 'Shoe | Shoe',
        blocks: [...cardBlocks(0), { type: 'divider' }, ...cardBlocks(1)],
      },
    ]);
    expect(render({ type: 'carousel', items: Array.from({ length: 12 }, () => card) })).toHaveLength(2);
  });

  it('renders single-choice as buttons and dropdown as a static select', () => {
    const choices = [
      { title: 'Red', value: 'RED' },
      { title: 'Blue', value: 'BLUE' },
    ];
    expect(render({ type: 'single-choice', text: 'Pick', choices })).toEqual([
      {
        channel: 'C1',
        text: 'Pick',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Pick' } },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'choice-0',
                text: { type: 'plain_text', text: 'Red', emoji: true },
                value: 'RED',
              },
              {
                type: 'button',
                action_id: 'choice-1',
                text: { type: 'plain_text', text: 'Blue', emoji: true },
                value: 'BLUE',
              },
            ],
          },
        ],
      },
    ]);
    const options = choices.map((choice) => ({ label: choice.title, value: choice.value }));
    expect(render({ type: 'dropdown', message: 'Pick', options })).toEqual([
      {
        channel: 'C1',
        text: 'Pick',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Pick' } },
          {
            type: 'actions',
            elements: [
              {
                type: 'static_select',
                action_id: 'dropdown',
                options: [
                  { text: { type: 'plain_text', text: 'Red', emoji: true }, value: 'RED' },
                  { text: { type: 'plain_text', text: 'Blue', emoji: true }, value: 'BLUE' },
                ],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('falls back to numbered text for values no block can carry, and to text for unknown types', () => {
    const long = 'v'.repeat(2001);
    expect(render({ type: 'single-choice', text: 'Pick', choices: [{ title: 'A', value: long }] })).toEqual([
      { channel: 'C1', text: 'Pick\n1. A', mrkdwn: false },
    ]);
    expect(render({ type: 'custom', text: 'fallback' })).toEqual([
      { channel: 'C1', text: 'fallback', mrkdwn: false },
    ]);
    expect(render({ type: 'custom' })).toEqual([]);
    expect(slackAdapter.renderTyping(address, config, 'on')).toBeNull();
  });
});

describe('slack interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    slackAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads ok answers as sent with <channel>:<ts>', () => {
    expect(answer(200, { ok: true, channel: 'C1', ts: '1.2' })).toEqual({
      kind: 'sent',
      providerMessageId: 'C1:1.2',
    });
  });

  it('retries a 429 after Retry-After, a ratelimited or internal error, and a 5xx', () => {
    expect(answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' })).toEqual({
      kind: 'retry',
      reason: 'rate limited: ratelimited',
      retryAfterMs: 30_000,
    });
    expect(answer(200, { ok: false, error: 'ratelimited' }, { 'retry-after': '2' })).toMatchObject({
      kind: 'retry',
      retryAfterMs: 2000,
    });
    expect(answer(200, { ok: false, error: 'internal_error' })).toEqual({
      kind: 'retry',
      reason: 'internal_error',
    });
    expect(slackAdapter.interpretSend({ status: 503, headers: {}, body: 'down' }).kind).toBe('retry');
  });

  it('fails on ok: false with the error code and its details, even with HTTP 200', () => {
    expect(answer(200, { ok: false, error: 'channel_not_found' })).toEqual({
      kind: 'failed',
      reason: 'channel_not_found',
    });
    expect(
      answer(200, {
        ok: false,
        error: 'invalid_blocks',
        response_metadata: { messages: ['[ERROR] bad [json-pointer:/blocks/0]'] },
      }),
    ).toEqual({ kind: 'failed', reason: 'invalid_blocks: [ERROR] bad [json-pointer:/blocks/0]' });
    expect(answer(400, { ok: false, error: 'invalid_arguments' })).toEqual({
      kind: 'failed',
      reason: 'invalid_arguments',
    });
  });
});
