import { createHash, createHmac } from 'node:crypto';
import type { ChannelAddress, InboundRequest, Payload } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { type VonageConfig, vonageAdapter } from './index.js';

const config: VonageConfig = {
  apiKey: 'key1',
  apiSecret: 'apisecret',
  signatureSecret: 'sigsecret',
  channel: 'sms',
};
const address: ChannelAddress = { identity: '447700900000', sender: '447700900001', thread: '*' };
const now = 1_700_000_000;

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A webhook signed as Vonage does, independently of the adapter, with node:crypto. */
function signed(
  payload: unknown,
  options: { iat?: number; secret?: string; alg?: string; claims?: object; body?: string } = {},
): InboundRequest {
  const body = options.body ?? JSON.stringify(payload);
  const claims = {
    iat: options.iat ?? now,
    jti: 'c0ffee',
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(JSON.stringify(payload)).digest('hex'),
    api_key: 'key1',
    application_id: 'app-1',
    ...options.claims,
  };
  const unsigned = `${encode({ alg: options.alg ?? 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createHmac('sha256', options.secret ?? 'sigsecret')
    .update(unsigned)
    .digest('base64url');
  return {
    method: 'POST',
    url: 'https://sb.example/webhooks/c1/vonage',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${unsigned}.${signature}` },
    query: {},
    rawBody: Buffer.from(body),
  };
}

const inbound = {
  channel: 'sms',
  message_uuid: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  to: '447700900000',
  from: '447700900001',
  timestamp: '2023-11-14T22:13:20Z',
  message_type: 'text',
  text: 'Hello',
  sms: { num_messages: '1' },
};

describe('vonage verify', () => {
  const ctx = { nowSeconds: now };

  it('accepts a webhook signed with the signature secret whose payload_hash matches', () => {
    expect(vonageAdapter.verify(signed(inbound), config, ctx)).toEqual({ ok: true });
    expect(vonageAdapter.verify(signed(inbound, { iat: now - 299 }), config, ctx).ok).toBe(true);
  });

  it('rejects a tampered body, a wrong secret, a stale token, another algorithm and a missing token', () => {
    const tampered = signed(inbound, { body: JSON.stringify({ ...inbound, text: 'Hellp' }) });
    expect(vonageAdapter.verify(tampered, config, ctx)).toEqual({
      ok: false,
      status: 401,
      reason: 'payload_hash does not match the body',
    });
    expect(vonageAdapter.verify(signed(inbound, { secret: 'other' }), config, ctx)).toMatchObject({
      ok: false,
      reason: 'JWT signature does not match',
    });
    expect(vonageAdapter.verify(signed(inbound, { iat: now - 301 }), config, ctx)).toMatchObject({
      ok: false,
      reason: 'JWT iat outside the five-minute window',
    });
    expect(vonageAdapter.verify(signed(inbound, { alg: 'none' }), config, ctx).ok).toBe(false);
    expect(vonageAdapter.verify(signed(inbound, { claims: { exp: now - 1 } }), config, ctx).ok).toBe(false);
    expect(vonageAdapter.verify(signed(inbound, { claims: { api_key: 'other' } }), config, ctx).ok).toBe(
      false,
    );
    const unsigned = { ...signed(inbound), headers: { 'content-type': 'application/json' } };
    expect(vonageAdapter.verify(unsigned, config, ctx)).toMatchObject({ ok: false, status: 401 });
    const garbage = { ...signed(inbound), headers: { authorization: 'Bearer a.b' } };
    expect(vonageAdapter.verify(garbage, config, ctx).ok).toBe(false);
  });

  it('has no handshake and marks its secrets', () => {
    expect(vonageAdapter.handshake(signed(inbound), config)).toBeNull();
    expect(vonageAdapter.secretFields).toEqual(['apiSecret', 'signatureSecret']);
  });
});

describe('vonage parse', () => {
  const parse = (payload: object) => vonageAdapter.parse(signed(payload), config);

  it('reads an inbound SMS with our number as identity and theirs as sender', () => {
    expect(parse(inbound)).toEqual([
      {
        kind: 'message',
        providerEventId: inbound.message_uuid,
        address: { identity: '447700900000', sender: '447700900001', thread: '*' },
        payload: { type: 'text', text: 'Hello' },
        providerMessageId: inbound.message_uuid,
        receivedAt: '2023-11-14T22:13:20Z',
      },
    ]);
  });

  it('reads media, locations and WhatsApp replies', () => {
    const whatsapp = { ...inbound, channel: 'whatsapp', text: undefined };
    expect(
      parse({ ...whatsapp, message_type: 'image', image: { url: 'https://x/i.jpg', caption: 'Pic' } }),
    ).toMatchObject([{ payload: { type: 'image', image: 'https://x/i.jpg', title: 'Pic' } }]);
    expect(parse({ ...whatsapp, message_type: 'audio', audio: { url: 'https://x/a.ogg' } })).toMatchObject([
      { payload: { type: 'audio', audio: 'https://x/a.ogg' } },
    ]);
    expect(parse({ ...whatsapp, message_type: 'video', video: { url: 'https://x/v.mp4' } })).toMatchObject([
      { payload: { type: 'video', video: 'https://x/v.mp4' } },
    ]);
    expect(
      parse({ ...whatsapp, message_type: 'file', file: { url: 'https://x/f.pdf', name: 'f.pdf' } }),
    ).toMatchObject([{ payload: { type: 'file', file: 'https://x/f.pdf', title: 'f.pdf' } }]);
    const location = { lat: 51.5, long: -0.12, name: 'Office', address: '1 Road' };
    expect(parse({ ...whatsapp, message_type: 'location', location })).toMatchObject([
      { payload: { type: 'location', latitude: 51.5, longitude: -0.12, title: 'Office', address: '1 Road' } },
    ]);
    expect(parse({ ...whatsapp, message_type: 'reply', reply: { id: 'RED', title: 'Red' } })).toMatchObject([
      { payload: { type: 'text', text: 'Red', value: 'RED' } },
    ]);
    expect(
      parse({ ...whatsapp, message_type: 'button', button: { payload: 'YES', text: 'Yes' } }),
    ).toMatchObject([{ payload: { type: 'text', text: 'Yes', value: 'YES' } }]);
    expect(parse({ ...whatsapp, message_type: 'vcard', vcard: { url: 'x' } })).toEqual([]);
  });

  it('reads statuses: delivered, read, rejected with the error; ignores submitted', () => {
    const status = (value: string, extra: object = {}) =>
      parse({
        message_uuid: 'm1',
        to: '1',
        from: '2',
        timestamp: '2023-11-14T22:13:20Z',
        status: value,
        channel: 'sms',
        ...extra,
      });
    expect(status('delivered')).toEqual([
      {
        kind: 'status',
        providerEventId: 'm1:delivered',
        providerMessageId: 'm1',
        status: 'delivered',
        at: '2023-11-14T22:13:20Z',
      },
    ]);
    expect(status('read')).toMatchObject([{ status: 'read' }]);
    expect(
      status('rejected', { error: { type: 'x', title: 'Invalid number', detail: 'not a mobile' } }),
    ).toMatchObject([{ status: 'failed', reason: 'rejected: Invalid number: not a mobile' }]);
    expect(status('undeliverable')).toMatchObject([{ status: 'failed', reason: 'undeliverable' }]);
    expect(status('submitted')).toEqual([]);
  });
});

describe('vonage render', () => {
  const render = (payload: Payload, settings: VonageConfig = config) =>
    vonageAdapter.render(payload, address, settings).map((request) => request.body?.value);
  const sms = { to: '447700900001', from: '447700900000', channel: 'sms' };
  const wa = { ...sms, channel: 'whatsapp' };
  const whatsapp: VonageConfig = { ...config, channel: 'whatsapp' };
  const mms: VonageConfig = { ...config, channel: 'mms' };

  it('posts JSON to /v1/messages with Basic auth', () => {
    expect(vonageAdapter.render({ type: 'text', text: 'hi' }, address, config)).toEqual([
      {
        method: 'POST',
        path: '/v1/messages',
        headers: {
          authorization: `Basic ${Buffer.from('key1:apisecret').toString('base64')}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: { kind: 'json', value: { ...sms, message_type: 'text', text: 'hi' } },
      },
    ]);
    expect(render({ type: 'text', text: 'x'.repeat(1500) })).toHaveLength(2);
    expect(render({ type: 'text', text: 'x'.repeat(1500) }, whatsapp)).toHaveLength(1);
    const star = vonageAdapter.render(
      { type: 'text', text: 'hi' },
      { ...address, identity: '*' },
      { ...config, fromNumber: '1555' },
    );
    expect(star[0]?.body?.value).toMatchObject({ from: '1555' });
  });

  it('renders media as links on SMS, as media messages on WhatsApp and MMS', () => {
    expect(render({ type: 'image', image: 'https://x/a.png', title: 'A' })).toEqual([
      { ...sms, message_type: 'text', text: 'A\nhttps://x/a.png' },
    ]);
    expect(render({ type: 'image', image: 'https://x/a.png', title: 'A' }, whatsapp)).toEqual([
      { ...wa, message_type: 'image', image: { url: 'https://x/a.png', caption: 'A' } },
    ]);
    expect(render({ type: 'audio', audio: 'https://x/a.mp3', title: 'Song' }, whatsapp)).toEqual([
      { ...wa, message_type: 'audio', audio: { url: 'https://x/a.mp3' } },
      { ...wa, message_type: 'text', text: 'Song' },
    ]);
    expect(render({ type: 'voice', audio: 'https://x/v.ogg' }, whatsapp)).toEqual([
      { ...wa, message_type: 'audio', audio: { url: 'https://x/v.ogg' } },
    ]);
    expect(render({ type: 'video', video: 'https://x/v.mp4' }, whatsapp)).toEqual([
      { ...wa, message_type: 'video', video: { url: 'https://x/v.mp4' } },
    ]);
    expect(render({ type: 'file', file: 'https://x/f.pdf', title: 'F' }, whatsapp)).toEqual([
      { ...wa, message_type: 'file', file: { url: 'https://x/f.pdf', caption: 'F' } },
    ]);
    expect(render({ type: 'file', file: 'https://x/f.pdf' }, mms)).toEqual([
      { ...sms, channel: 'mms', message_type: 'text', text: 'https://x/f.pdf' },
    ]);
    expect(render({ type: 'audio', audio: 'https://x/a.mp3', title: 'Song' }, mms)).toEqual([
      { ...sms, channel: 'mms', message_type: 'audio', audio: { url: 'https://x/a.mp3', caption: 'Song' } },
    ]);
  });

  it('renders a location as a map link', () => {
    expect(render({ type: 'location', latitude: 1, longitude: 2 })).toEqual([
      { ...sms, message_type: 'text', text: 'https://www.google.com/maps/search/?api=1&query=1,2' },
    ]);
  });

  it('renders cards and carousels, with the image as an image message where the channel has one', () => {
    const card = {
      title: 'Shoe',
      image: 'https://x/s.png',
      actions: [{ action: 'Postback', title: 'Buy', payload: 'BUY' }],
    };
    expect(render({ type: 'card', ...card }, whatsapp)).toEqual([
      { ...wa, message_type: 'image', image: { url: 'https://x/s.png', caption: 'Shoe\n1. Buy' } },
    ]);
    expect(render({ type: 'carousel', items: [card, card] })).toEqual([
      { ...sms, message_type: 'text', text: 'Shoe\n1. Buy\nhttps://x/s.png' },
      { ...sms, message_type: 'text', text: 'Shoe\n1. Buy\nhttps://x/s.png' },
    ]);
  });

  it('renders choices as numbered text and unknown types as their text or nothing', () => {
    const choices = [{ title: 'Red', value: 'RED' }];
    expect(render({ type: 'single-choice', text: 'Pick', choices })).toEqual([
      { ...sms, message_type: 'text', text: 'Pick\n1. Red' },
    ]);
    expect(render({ type: 'dropdown', message: 'Pick', options: [{ label: 'Red', value: 'RED' }] })).toEqual([
      { ...sms, message_type: 'text', text: 'Pick\n1. Red' },
    ]);
    expect(render({ type: 'custom', text: 'fallback' })).toEqual([
      { ...sms, message_type: 'text', text: 'fallback' },
    ]);
    expect(render({ type: 'custom' })).toEqual([]);
    expect(vonageAdapter.renderTyping(address, config, 'on')).toBeNull();
  });
});

describe('vonage interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    vonageAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the message uuid from a 202', () => {
    expect(answer(202, { message_uuid: 'u1' })).toEqual({ kind: 'sent', providerMessageId: 'u1' });
  });

  it('retries a 429 after Retry-After and a 5xx', () => {
    expect(
      answer(429, { type: 't', title: 'Rate Limit Hit', detail: 'Please wait' }, { 'retry-after': '1' }),
    ).toEqual({
      kind: 'retry',
      reason: 'rate limited: Rate Limit Hit: Please wait',
      retryAfterMs: 1000,
    });
    expect(answer(500, { title: 'Internal Error' })).toEqual({ kind: 'retry', reason: 'Internal Error' });
  });

  it('fails a 4xx with the problem title and detail', () => {
    expect(
      answer(422, {
        type: 't',
        title: 'Invalid params',
        detail: 'The value of one or more parameters is invalid.',
      }),
    ).toEqual({
      kind: 'failed',
      reason: 'Invalid params: The value of one or more parameters is invalid.',
    });
    expect(
      answer(401, { title: 'Unauthorized', detail: 'You did not provide correct credentials.' }).kind,
    ).toBe('failed');
  });
});
