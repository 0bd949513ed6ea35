import { createHmac } from 'node:crypto';
import type { ChannelAddress, InboundRequest, Payload, ProviderRequest } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { messengerAdapter } from './adapter.js';
import type { MessengerConfig } from './config.js';

const config: MessengerConfig = {
  appSecret: 'app-secret',
  accessToken: 'page/token+1',
  verifyToken: 'verify-me',
};
const address: ChannelAddress = { identity: '*', sender: '1254459154682919', thread: '*' };
const ctx = { nowSeconds: 1_700_000_000 };

function post(body: string, headers: Record<string, string> = {}): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.test/webhooks/c1/messenger',
    headers,
    query: {},
    rawBody: Buffer.from(body),
  };
}

function signed(body: string, secret = config.appSecret): InboundRequest {
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  return post(body, { 'x-hub-signature-256': `sha256=${signature}`, 'content-type': 'application/json' });
}

function get(query: Record<string, string>): InboundRequest {
  return {
    method: 'GET',
    url: 'https://sb.test/webhooks/c1/messenger',
    headers: {},
    query,
    rawBody: Buffer.alloc(0),
  };
}

function webhook(...messaging: unknown[]): string {
  return JSON.stringify({
    object: 'page',
    entry: [{ id: '1067280970047460', time: 1_700_000_000_000, messaging }],
  });
}

function event(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    sender: { id: address.sender },
    recipient: { id: '1067280970047460' },
    timestamp: 1_700_000_000_123,
    ...fields,
  };
}

function render(payload: Payload): ProviderRequest[] {
  return messengerAdapter.render(payload, address, config);
}

function messageOf(request: ProviderRequest | undefined): Record<string, unknown> {
  const value = request?.body?.value as { message: Record<string, unknown> };
  return value.message;
}

describe('messenger verify', () => {
  it("computes X-Hub-Signature-256 as in the documented example of the scheme (GitHub's docs give the vector)", () => {
    // Meta documents the algorithm without a worked example; GitHub's X-Hub-Signature-256 is the same
    // scheme (sha256= + hex HMAC-SHA256 of the raw body) and documents this vector.
    const request = post('Hello, World!', {
      'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    });
    const exampleConfig = { ...config, appSecret: "It's a Secret to Everybody" };
    expect(messengerAdapter.verify(request, exampleConfig, ctx)).toEqual({ ok: true });
  });

  it('accepts a correctly signed body and rejects a tampered one, a wrong secret and a missing header', () => {
    const body = webhook(event({ message: { mid: 'm_1', text: 'hi' } }));
    expect(messengerAdapter.verify(signed(body), config, ctx)).toEqual({ ok: true });

    const tampered = { ...signed(body), rawBody: Buffer.from(body.replace('hi', 'ho')) };
    expect(messengerAdapter.verify(tampered, config, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(messengerAdapter.verify(signed(body, 'other-secret'), config, ctx)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(messengerAdapter.verify(post(body), config, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(
      messengerAdapter.verify(post(body, { 'x-hub-signature-256': 'sha256=zz' }), config, ctx),
    ).toMatchObject({
      ok: false,
    });
  });

  it('verifies a GET handshake by its verify token', () => {
    const good = get({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'verify-me',
      'hub.challenge': '1158201444',
    });
    expect(messengerAdapter.verify(good, config, ctx)).toEqual({ ok: true });
    const bad = get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' });
    expect(messengerAdapter.verify(bad, config, ctx)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('messenger handshake', () => {
  it('echoes hub.challenge when the verify token matches, 403 otherwise, and ignores POSTs', () => {
    const good = get({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'verify-me',
      'hub.challenge': '1158201444',
    });
    expect(messengerAdapter.handshake(good, config)).toMatchObject({ status: 200, body: '1158201444' });
    const bad = get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1158201444' });
    expect(messengerAdapter.handshake(bad, config)).toMatchObject({ status: 403 });
    expect(messengerAdapter.handshake(post('{}'), config)).toBeNull();
  });
});

describe('messenger parse', () => {
  const parse = (body: string) => messengerAdapter.parse(post(body), config);

  it('reads a text message with the PSID as sender and the mid as ids', () => {
    expect(parse(webhook(event({ message: { mid: 'm_text', text: 'hello' } })))).toEqual([
      {
        kind: 'message',
        providerEventId: 'm_text',
        providerMessageId: 'm_text',
        address,
        payload: { type: 'text', text: 'hello' },
        receivedAt: new Date(1_700_000_000_123).toISOString(),
      },
    ]);
  });

  it('reads a quick reply as text with its payload as value, and a postback the same way', () => {
    const [quick] = parse(
      webhook(event({ message: { mid: 'm_q', text: 'Red', quick_reply: { payload: 'RED' } } })),
    );
    expect(quick).toMatchObject({ kind: 'message', payload: { type: 'text', text: 'Red', value: 'RED' } });

    const [postback] = parse(webhook(event({ postback: { mid: 'm_p', title: 'Buy', payload: 'BUY_1' } })));
    expect(postback).toMatchObject({
      kind: 'message',
      providerEventId: 'm_p',
      payload: { type: 'text', text: 'Buy', value: 'BUY_1' },
    });
    const [legacy] = parse(webhook(event({ postback: { title: 'Buy', payload: 'BUY_1' } })));
    expect(legacy?.providerEventId).toBe(`postback:${address.sender}:1700000000123`);
  });

  it('reads media and location attachments, one message each', () => {
    const attachments = [
      { type: 'image', payload: { url: 'https://cdn.test/a.png' } },
      { type: 'audio', payload: { url: 'https://cdn.test/a.mp4' } },
      { type: 'video', payload: { url: 'https://cdn.test/v.mp4' } },
      { type: 'file', payload: { url: 'https://cdn.test/f.pdf' } },
      { type: 'location', title: 'Home', payload: { coordinates: { lat: 45.5, long: -73.6 } } },
    ];
    const results = parse(webhook(event({ message: { mid: 'm_media', attachments } })));
    expect(results.map((result) => (result.kind === 'message' ? result.payload : undefined))).toEqual([
      { type: 'image', image: 'https://cdn.test/a.png' },
      { type: 'audio', audio: 'https://cdn.test/a.mp4' },
      { type: 'video', video: 'https://cdn.test/v.mp4' },
      { type: 'file', file: 'https://cdn.test/f.pdf' },
      { type: 'location', latitude: 45.5, longitude: -73.6, title: 'Home' },
    ]);
    expect(results.map((result) => result.providerEventId)).toEqual([
      'm_media',
      'm_media#1',
      'm_media#2',
      'm_media#3',
      'm_media#4',
    ]);
  });

  it('reads delivery receipts per mid and read receipts that name a mid; skips echoes', () => {
    const results = parse(
      webhook(
        event({ delivery: { mids: ['m_a', 'm_b'], watermark: 1_700_000_000_000 } }),
        event({ read: { watermark: 1_700_000_000_000, mid: 'm_a' } }),
        event({ read: { watermark: 1_700_000_000_000 } }),
        event({ message: { mid: 'm_echo', text: 'ours', is_echo: true } }),
      ),
    );
    expect(results).toEqual([
      expect.objectContaining({
        kind: 'status',
        providerEventId: 'delivery:m_a',
        providerMessageId: 'm_a',
        status: 'delivered',
      }),
      expect.objectContaining({
        kind: 'status',
        providerEventId: 'delivery:m_b',
        providerMessageId: 'm_b',
        status: 'delivered',
      }),
      expect.objectContaining({
        kind: 'status',
        providerEventId: 'read:m_a',
        providerMessageId: 'm_a',
        status: 'read',
      }),
    ]);
  });

  it('returns nothing for a body that is not a page webhook', () => {
    expect(parse('{"object":"instagram","entry":[]}')).toEqual([]);
    expect(parse('not json')).toEqual([]);
  });
});

describe('messenger render', () => {
  it('sends to the Send API with the page token in the query and the PSID as recipient', () => {
    const [request] = render({ type: 'text', text: 'Hello' });
    expect(request).toEqual({
      method: 'POST',
      path: '/v23.0/me/messages?access_token=page%2Ftoken%2B1',
      headers: { 'content-type': 'application/json' },
      body: {
        kind: 'json',
        value: { recipient: { id: address.sender }, messaging_type: 'RESPONSE', message: { text: 'Hello' } },
      },
    });
    expect(
      messengerAdapter.render({ type: 'text', text: 'x' }, address, { ...config, apiVersion: 'v19.0' })[0]
        ?.path,
    ).toMatch(/^\/v19\.0\/me\/messages\?/);
  });

  it('splits text longer than 2000 characters', () => {
    const requests = render({ type: 'text', text: `${'a'.repeat(1500)} ${'b'.repeat(1500)}` });
    expect(requests.map((request) => (messageOf(request).text as string).length)).toEqual([1500, 1500]);
  });

  it('sends media as attachments by URL; voice as audio', () => {
    const cases: [Payload, string, string][] = [
      [{ type: 'image', image: 'https://cdn.test/i.png' }, 'image', 'https://cdn.test/i.png'],
      [{ type: 'audio', audio: 'https://cdn.test/a.mp3' }, 'audio', 'https://cdn.test/a.mp3'],
      [{ type: 'voice', audio: 'https://cdn.test/v.ogg' }, 'audio', 'https://cdn.test/v.ogg'],
      [{ type: 'video', video: 'https://cdn.test/v.mp4' }, 'video', 'https://cdn.test/v.mp4'],
      [{ type: 'file', file: 'https://cdn.test/f.pdf', title: 'Invoice' }, 'file', 'https://cdn.test/f.pdf'],
    ];
    for (const [payload, type, url] of cases) {
      expect(messageOf(render(payload)[0])).toEqual({
        attachment: { type, payload: { url, is_reusable: true } },
      });
    }
  });

  it('sends a location as text with a map link', () => {
    const [request] = render({
      type: 'location',
      latitude: 45.5,
      longitude: -73.6,
      title: 'Office',
      address: '1 Main St',
    });
    expect(messageOf(request)).toEqual({
      text: 'Office\n1 Main St\nhttps://www.google.com/maps/search/?api=1&query=45.5,-73.6',
    });
  });

  it('sends a card as a generic template with web_url and postback buttons', () => {
    const [request] = render({
      type: 'card',
      title: 'Shoes',
      subtitle: 'Size 42',
      image: 'https://cdn.test/shoes.png',
      actions: [
        { action: 'Open URL', title: 'See', url: 'https://shop.test/shoes' },
        { action: 'Postback', title: 'Buy', payload: 'BUY_SHOES' },
        { action: 'Say something', title: 'Ask', text: 'Tell me more' },
      ],
    });
    expect(messageOf(request)).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [
            {
              title: 'Shoes',
              subtitle: 'Size 42',
              image_url: 'https://cdn.test/shoes.png',
              buttons: [
                { type: 'web_url', url: 'https://shop.test/shoes', title: 'See' },
                { type: 'postback', title: 'Buy', payload: 'BUY_SHOES' },
                { type: 'postback', title: 'Ask', payload: 'Tell me more' },
              ],
            },
          ],
        },
      },
    });
  });

  it('sends a carousel as generic templates of at most 10 elements', () => {
    const items = Array.from({ length: 12 }, (_, index) => ({ title: `Item ${index}`, actions: [] }));
    const requests = render({ type: 'carousel', items });
    const counts = requests.map((request) => {
      const attachment = messageOf(request).attachment as { payload: { elements: unknown[] } };
      return attachment.payload.elements.length;
    });
    expect(counts).toEqual([10, 2]);
  });

  it('sends single-choice and dropdown as quick replies, and numbered text past 13 options', () => {
    const [choice] = render({
      type: 'single-choice',
      text: 'Pick a colour',
      choices: [
        { title: 'Red', value: 'RED' },
        { title: 'A very long colour name indeed', value: 'LONG' },
      ],
    });
    expect(messageOf(choice)).toEqual({
      text: 'Pick a colour',
      quick_replies: [
        { content_type: 'text', title: 'Red', payload: 'RED' },
        { content_type: 'text', title: 'A very long colour …', payload: 'LONG' },
      ],
    });
    const [dropdown] = render({ type: 'dropdown', message: 'Size?', options: [{ label: 'S', value: 's' }] });
    expect(messageOf(dropdown)).toEqual({
      text: 'Size?',
      quick_replies: [{ content_type: 'text', title: 'S', payload: 's' }],
    });
    const options = Array.from({ length: 14 }, (_, index) => ({
      label: `Option ${index + 1}`,
      value: `o${index + 1}`,
    }));
    const [many] = render({ type: 'dropdown', message: 'Pick', options });
    expect(messageOf(many).text).toMatch(/^Pick\n1\. Option 1\n2\. Option 2\n/);
    expect(messageOf(many).quick_replies).toBeUndefined();
  });

  it('sends an unknown type with a text as text and skips one without', () => {
    expect(messageOf(render({ type: 'custom-thing', text: 'fallback' })[0])).toEqual({ text: 'fallback' });
    expect(render({ type: 'custom-thing', data: 1 })).toEqual([]);
  });

  it('renders typing as sender_action typing_on, and its end as typing_off', () => {
    expect(messengerAdapter.renderTyping(address, config, 'on')?.body).toEqual({
      kind: 'json',
      value: { recipient: { id: address.sender }, sender_action: 'typing_on' },
    });
    expect(messengerAdapter.renderTyping(address, config, 'off')?.body).toEqual({
      kind: 'json',
      value: { recipient: { id: address.sender }, sender_action: 'typing_off' },
    });
  });
});

describe('messenger interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    messengerAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the message id of a success', () => {
    expect(answer(200, { recipient_id: '1', message_id: 'm_ok' })).toEqual({
      kind: 'sent',
      providerMessageId: 'm_ok',
    });
  });

  it('retries 429 after Retry-After, rate-limit codes and 5xx', () => {
    expect(answer(429, { error: { message: 'slow down', code: 613 } }, { 'retry-after': '7' })).toEqual({
      kind: 'retry',
      reason: 'rate limited: slow down (code 613)',
      retryAfterMs: 7000,
    });
    expect(
      answer(400, { error: { message: '(#4) Application request limit reached', code: 4 } }),
    ).toMatchObject({
      kind: 'retry',
    });
    expect(answer(500, { error: { message: 'An unexpected error has occurred.', code: 2 } })).toMatchObject({
      kind: 'retry',
    });
    expect(messengerAdapter.interpretSend({ status: 503, headers: {}, body: '<html>' })).toMatchObject({
      kind: 'retry',
    });
  });

  it("fails other 4xx with Graph's own error message", () => {
    expect(
      answer(400, { error: { message: '(#100) No matching user found', type: 'OAuthException', code: 100 } }),
    ).toEqual({ kind: 'failed', reason: '(#100) No matching user found (code 100)' });
  });
});
