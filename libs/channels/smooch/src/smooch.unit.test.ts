import type { ChannelAddress, InboundRequest, Payload, ProviderRequest } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { smoochAdapter } from './adapter.js';
import type { SmoochConfig } from './config.js';

const config: SmoochConfig = {
  appId: 'app1',
  keyId: 'app_key1',
  keySecret: 'key-secret',
  webhookSecret: 'hook-secret',
};
const address: ChannelAddress = { identity: '*', sender: 'user-1', thread: 'conv-1' };
const ctx = { nowSeconds: 1_700_000_000 };

function inbound(
  body: unknown,
  headers: Record<string, string> = { 'x-api-key': 'hook-secret' },
): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.test/webhooks/c1/smooch',
    headers,
    query: {},
    rawBody: Buffer.from(JSON.stringify(body)),
  };
}

function webhook(...events: unknown[]): Record<string, unknown> {
  return { app: { id: 'app1' }, webhook: { id: 'wh1', version: 'v2' }, events };
}

function messageEvent(content: Record<string, unknown>, authorType = 'user'): Record<string, unknown> {
  return {
    id: 'evt-1',
    type: 'conversation:message',
    createdAt: '2020-02-25T18:06:37.547Z',
    payload: {
      conversation: { id: 'conv-1', type: 'personal' },
      message: {
        id: 'msg-1',
        received: '2020-02-25T18:06:37.500Z',
        author: authorType === 'user' ? { type: 'user', userId: 'user-1' } : { type: 'business' },
        content,
        source: { type: 'whatsapp' },
      },
    },
  };
}

describe('smooch verify', () => {
  it('accepts the webhook secret in X-API-Key and rejects a wrong or missing one', () => {
    const body = webhook(messageEvent({ type: 'text', text: 'hi' }));
    expect(smoochAdapter.verify(inbound(body), config, ctx)).toEqual({ ok: true });
    expect(smoochAdapter.verify(inbound(body, { 'x-api-key': 'hook-secreT' }), config, ctx)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(smoochAdapter.verify(inbound(body, {}), config, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(smoochAdapter.verify(inbound(body), { ...config, webhookSecret: 'rotated' }, ctx)).toMatchObject({
      ok: false,
    });
  });

  it('has no handshake', () => {
    expect(smoochAdapter.handshake(inbound({}), config)).toBeNull();
  });
});

describe('smooch parse', () => {
  const parse = (body: unknown) => smoochAdapter.parse(inbound(body), config);
  const payloads = (body: unknown) =>
    parse(body).map((result) => (result.kind === 'message' ? result.payload : result));

  it('reads a user text message with the event id as dedupe key', () => {
    expect(parse(webhook(messageEvent({ type: 'text', text: 'hello' })))).toEqual([
      {
        kind: 'message',
        providerEventId: 'evt-1',
        providerMessageId: 'msg-1',
        address,
        payload: { type: 'text', text: 'hello' },
        receivedAt: '2020-02-25T18:06:37.500Z',
      },
    ]);
  });

  it('reads a quick reply as text with value, and a postback as text with value', () => {
    expect(payloads(webhook(messageEvent({ type: 'text', text: 'Red', payload: 'RED' })))).toEqual([
      { type: 'text', text: 'Red', value: 'RED' },
    ]);
    const postback = {
      id: 'evt-2',
      type: 'conversation:postback',
      createdAt: '2020-02-25T18:06:40.000Z',
      payload: { conversation: { id: 'conv-1' }, postback: { payload: 'BUY' }, user: { id: 'user-1' } },
    };
    expect(parse(webhook(postback))).toEqual([
      {
        kind: 'message',
        providerEventId: 'evt-2',
        address,
        payload: { type: 'text', text: 'BUY', value: 'BUY' },
        receivedAt: '2020-02-25T18:06:40.000Z',
      },
    ]);
  });

  it('reads images, files by media type, and locations', () => {
    expect(
      payloads(webhook(messageEvent({ type: 'image', mediaUrl: 'https://m.test/i.jpg', text: 'look' }))),
    ).toEqual([{ type: 'image', image: 'https://m.test/i.jpg', title: 'look' }]);
    expect(
      payloads(
        webhook(messageEvent({ type: 'file', mediaUrl: 'https://m.test/a.ogg', mediaType: 'audio/ogg' })),
      ),
    ).toEqual([{ type: 'audio', audio: 'https://m.test/a.ogg' }]);
    expect(
      payloads(
        webhook(messageEvent({ type: 'file', mediaUrl: 'https://m.test/v.mp4', mediaType: 'video/mp4' })),
      ),
    ).toEqual([{ type: 'video', video: 'https://m.test/v.mp4' }]);
    expect(
      payloads(
        webhook(
          messageEvent({ type: 'file', mediaUrl: 'https://m.test/d.pdf', mediaType: 'application/pdf' }),
        ),
      ),
    ).toEqual([{ type: 'file', file: 'https://m.test/d.pdf' }]);
    expect(
      payloads(
        webhook(
          messageEvent({
            type: 'location',
            coordinates: { lat: 45.5, long: -73.6 },
            location: { name: 'Office', address: '1 Main St' },
          }),
        ),
      ),
    ).toEqual([
      { type: 'location', latitude: 45.5, longitude: -73.6, title: 'Office', address: '1 Main St' },
    ]);
  });

  it('reads delivery to the user and delivery failures as statuses; skips echoes, channel delivery and reads', () => {
    const delivery = (type: string, extra: Record<string, unknown> = {}) => ({
      id: `evt-${type}`,
      type,
      createdAt: '2020-02-25T18:07:00.000Z',
      payload: {
        conversation: { id: 'conv-1' },
        message: { id: 'sent-1' },
        destination: { type: 'whatsapp' },
        ...extra,
      },
    });
    const results = parse(
      webhook(
        delivery('conversation:message:delivery:user'),
        delivery('conversation:message:delivery:failure', {
          error: { code: 'blocked', message: 'User blocked the business' },
        }),
        delivery('conversation:message:delivery:channel'),
        {
          id: 'evt-read',
          type: 'conversation:read',
          payload: { conversation: { id: 'conv-1' }, activity: { type: 'conversation:read' } },
        },
        messageEvent({ type: 'text', text: 'our own' }, 'business'),
      ),
    );
    expect(results).toEqual([
      {
        kind: 'status',
        providerEventId: 'evt-conversation:message:delivery:user',
        providerMessageId: 'sent-1',
        status: 'delivered',
        at: '2020-02-25T18:07:00.000Z',
      },
      {
        kind: 'status',
        providerEventId: 'evt-conversation:message:delivery:failure',
        providerMessageId: 'sent-1',
        status: 'failed',
        reason: 'blocked: User blocked the business',
        at: '2020-02-25T18:07:00.000Z',
      },
    ]);
  });
});

describe('smooch render', () => {
  const render = (payload: Payload) => smoochAdapter.render(payload, address, config);
  const contentOf = (request: ProviderRequest | undefined) =>
    (request?.body?.value as { content?: unknown } | undefined)?.content;

  it('posts business messages to the conversation with Basic auth', () => {
    const [request] = render({ type: 'text', text: 'Hello' });
    expect(request).toEqual({
      method: 'POST',
      path: '/v2/apps/app1/conversations/conv-1/messages',
      headers: {
        authorization: `Basic ${Buffer.from('app_key1:key-secret').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: {
        kind: 'json',
        value: { author: { type: 'business' }, content: { type: 'text', text: 'Hello' } },
      },
    });
    expect(render({ type: 'text', text: 'x'.repeat(5000) }).length).toBe(2);
  });

  it('sends images as image messages and other media as file messages', () => {
    expect(contentOf(render({ type: 'image', image: 'https://cdn.test/i.png', title: 'Pic' })[0])).toEqual({
      type: 'image',
      mediaUrl: 'https://cdn.test/i.png',
      text: 'Pic',
    });
    const files: [Payload, string][] = [
      [{ type: 'audio', audio: 'https://cdn.test/a.mp3' }, 'https://cdn.test/a.mp3'],
      [{ type: 'voice', audio: 'https://cdn.test/v.ogg' }, 'https://cdn.test/v.ogg'],
      [{ type: 'video', video: 'https://cdn.test/v.mp4' }, 'https://cdn.test/v.mp4'],
      [{ type: 'file', file: 'https://cdn.test/f.pdf' }, 'https://cdn.test/f.pdf'],
    ];
    for (const [payload, url] of files)
      expect(contentOf(render(payload)[0])).toEqual({ type: 'file', mediaUrl: url });
  });

  it('sends a location message', () => {
    expect(
      contentOf(
        render({ type: 'location', latitude: 1.5, longitude: 2.5, title: 'Here', address: 'Main St' })[0],
      ),
    ).toEqual({
      type: 'location',
      coordinates: { lat: 1.5, long: 2.5 },
      location: { name: 'Here', address: 'Main St' },
    });
  });

  it('sends a card as a one-item carousel with link and postback actions', () => {
    expect(
      contentOf(
        render({
          type: 'card',
          title: 'Shoes',
          subtitle: 'Size 42',
          image: 'https://cdn.test/s.png',
          actions: [
            { action: 'Open URL', title: 'See', url: 'https://shop.test' },
            { action: 'Postback', title: 'Buy', payload: 'BUY' },
            { action: 'Say something', title: 'Ask', text: 'Tell me more' },
          ],
        })[0],
      ),
    ).toEqual({
      type: 'carousel',
      items: [
        {
          title: 'Shoes',
          description: 'Size 42',
          mediaUrl: 'https://cdn.test/s.png',
          actions: [
            { type: 'link', text: 'See', uri: 'https://shop.test' },
            { type: 'postback', text: 'Buy', payload: 'BUY' },
            { type: 'postback', text: 'Ask', payload: 'Tell me more' },
          ],
        },
      ],
    });
  });

  it('sends a card without buttons as an image or text message', () => {
    expect(
      contentOf(
        render({ type: 'card', title: 'T', subtitle: 'S', image: 'https://cdn.test/i.png', actions: [] })[0],
      ),
    ).toEqual({
      type: 'image',
      mediaUrl: 'https://cdn.test/i.png',
      text: 'T\nS',
    });
    expect(contentOf(render({ type: 'card', title: 'T', actions: [] })[0])).toEqual({
      type: 'text',
      text: 'T',
    });
  });

  it('sends a carousel as one carousel when every item has buttons, one message per card otherwise', () => {
    const withButton = { title: 'A', actions: [{ action: 'Postback' as const, title: 'Go', payload: 'A' }] };
    const requests = render({ type: 'carousel', items: [withButton, { ...withButton, title: 'B' }] });
    expect(requests).toHaveLength(1);
    expect((contentOf(requests[0]) as { items: unknown[] }).items).toHaveLength(2);
    expect(render({ type: 'carousel', items: [withButton, { title: 'C', actions: [] }] })).toHaveLength(2);
  });

  it('sends single-choice and dropdown as text with reply actions', () => {
    expect(
      contentOf(
        render({ type: 'single-choice', text: 'Colour?', choices: [{ title: 'Red', value: 'RED' }] })[0],
      ),
    ).toEqual({
      type: 'text',
      text: 'Colour?',
      actions: [{ type: 'reply', text: 'Red', payload: 'RED' }],
    });
    expect(
      contentOf(render({ type: 'dropdown', message: 'Size?', options: [{ label: 'S', value: 's' }] })[0]),
    ).toEqual({
      type: 'text',
      text: 'Size?',
      actions: [{ type: 'reply', text: 'S', payload: 's' }],
    });
  });

  it('sends an unknown type with text as text and skips one without', () => {
    expect(contentOf(render({ type: 'x-custom', text: 'fallback' })[0])).toEqual({
      type: 'text',
      text: 'fallback',
    });
    expect(render({ type: 'x-custom' })).toEqual([]);
  });

  it('renders typing as a typing:start activity', () => {
    const typing = smoochAdapter.renderTyping(address, config, 'on');
    expect(typing?.path).toBe('/v2/apps/app1/conversations/conv-1/activity');
    expect(typing?.body).toEqual({
      kind: 'json',
      value: { author: { type: 'business' }, type: 'typing:start' },
    });
    expect(smoochAdapter.renderTyping(address, config, 'off')?.body).toEqual({
      kind: 'json',
      value: { author: { type: 'business' }, type: 'typing:stop' },
    });
  });
});

describe('smooch interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    smoochAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the created message id', () => {
    expect(answer(201, { messages: [{ id: 'm1', content: { type: 'text' } }] })).toEqual({
      kind: 'sent',
      providerMessageId: 'm1',
    });
    expect(answer(200, {})).toEqual({ kind: 'sent' });
  });

  it('retries 429 after Retry-After and 5xx; fails 400 with the errors’ codes and titles', () => {
    expect(
      answer(429, { errors: [{ code: 'too_many_requests', title: 'Slow down' }] }, { 'retry-after': '5' }),
    ).toEqual({
      kind: 'retry',
      reason: 'rate limited: too_many_requests: Slow down',
      retryAfterMs: 5000,
    });
    expect(answer(503, { errors: [{ code: 'service_unavailable', title: 'x' }] })).toMatchObject({
      kind: 'retry',
    });
    expect(
      answer(400, {
        errors: [
          { code: 'bad_request', title: 'content.text is required' },
          { code: 'bad_request', title: 'author is required' },
        ],
      }),
    ).toEqual({
      kind: 'failed',
      reason: 'bad_request: content.text is required; bad_request: author is required',
    });
  });
});
