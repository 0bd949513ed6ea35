import { createHmac } from 'node:crypto';
import type { ChannelAddress, InboundRequest, Payload } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { type TwilioConfig, twilioAdapter, twilioSignature } from './index.js';

const config: TwilioConfig = { accountSID: `AC${'a'.repeat(32)}`, authToken: '12345' };
const address: ChannelAddress = { identity: '+15550001111', sender: '+15552223333', thread: '*' };
const ctx = { nowSeconds: 0 };
const url = 'https://sb.example/webhooks/c1/twilio';

function formRequest(requestUrl: string, body: string, signature?: string): InboundRequest {
  return {
    method: 'POST',
    url: requestUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
    },
    query: {},
    rawBody: Buffer.from(body),
  };
}

/** Signed independently of the adapter, with node:crypto. */
function signed(params: Record<string, string>, requestUrl = url, token = '12345'): InboundRequest {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], requestUrl);
  const signature = createHmac('sha1', token).update(data).digest('base64');
  return formRequest(requestUrl, new URLSearchParams(params).toString(), signature);
}

describe('twilio verify', () => {
  // The worked example of Twilio's security documentation (auth token 12345).
  const docUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const docParams = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  const docSignature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

  it("accepts Twilio's documented example", () => {
    expect(twilioSignature('12345', docUrl, Object.entries(docParams))).toBe(docSignature);
    const request = formRequest(docUrl, new URLSearchParams(docParams).toString(), docSignature);
    expect(twilioAdapter.verify(request, config, ctx)).toEqual({ ok: true });
  });

  it('rejects a tampered body, a wrong token, another URL and a missing signature', () => {
    const good = signed({ MessageSid: 'SM1', From: '+1', To: '+2', Body: 'hi' });
    expect(twilioAdapter.verify(good, config, ctx)).toEqual({ ok: true });
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('hi', 'ho')) };
    expect(twilioAdapter.verify(tampered, config, ctx)).toMatchObject({ ok: false, status: 401 });
    expect(twilioAdapter.verify(good, { ...config, authToken: '54321' }, ctx).ok).toBe(false);
    expect(twilioAdapter.verify({ ...good, url: `${url}?x=1` }, config, ctx).ok).toBe(false);
    expect(twilioAdapter.verify(formRequest(url, 'Body=hi'), config, ctx)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('accepts the URL signed with or without the default port', () => {
    const params = { MessageSid: 'SM1', Body: 'hi' };
    const withPort = signed(params, 'https://sb.example:443/webhooks/c1/twilio');
    expect(twilioAdapter.verify({ ...withPort, url }, config, ctx).ok).toBe(true);
    const withoutPort = signed(params, url);
    expect(
      twilioAdapter.verify({ ...withoutPort, url: 'https://sb.example:443/webhooks/c1/twilio' }, config, ctx)
        .ok,
    ).toBe(true);
  });

  it('checks bodySHA256 for JSON webhooks', () => {
    const body = '{"a":1}';
    const hash = '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862';
    const jsonUrl = `${url}?bodySHA256=${hash}`;
    const signature = createHmac('sha1', '12345').update(jsonUrl).digest('base64');
    const request: InboundRequest = {
      method: 'POST',
      url: jsonUrl,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
      query: { bodySHA256: hash },
      rawBody: Buffer.from(body),
    };
    expect(twilioAdapter.verify(request, config, ctx)).toEqual({ ok: true });
    expect(twilioAdapter.verify({ ...request, rawBody: Buffer.from('{"a":2}') }, config, ctx).ok).toBe(false);
  });

  it('has no handshake, acknowledges with empty TwiML and marks its secret', () => {
    expect(twilioAdapter.handshake(signed({}), config)).toBeNull();
    expect(twilioAdapter.acknowledge(signed({}), config)).toMatchObject({
      status: 200,
      headers: { 'content-type': 'text/xml' },
    });
    expect(twilioAdapter.secretFields).toEqual(['authToken']);
  });
});

describe('twilio parse', () => {
  const incoming = {
    MessageSid: 'SM1',
    AccountSid: config.accountSID,
    From: '+15552223333',
    To: '+15550001111',
  };

  it('reads an incoming SMS with our number as identity and theirs as sender', () => {
    expect(
      twilioAdapter.parse(
        signed({ ...incoming, Body: 'hello', NumMedia: '0', SmsStatus: 'received' }),
        config,
      ),
    ).toEqual([
      {
        kind: 'message',
        providerEventId: 'SM1',
        address: { identity: '+15550001111', sender: '+15552223333', thread: '*' },
        payload: { type: 'text', text: 'hello' },
        providerMessageId: 'SM1',
      },
    ]);
  });

  it('reads media, one inbound per item, typed by content type', () => {
    const parsed = twilioAdapter.parse(
      signed({
        ...incoming,
        Body: 'look',
        NumMedia: '2',
        MediaUrl0: 'https://api.twilio.com/m0',
        MediaContentType0: 'image/jpeg',
        MediaUrl1: 'https://api.twilio.com/m1',
        MediaContentType1: 'application/pdf',
      }),
      config,
    );
    expect(parsed).toMatchObject([
      { providerEventId: 'SM1', payload: { type: 'text', text: 'look' } },
      { providerEventId: 'SM1:media:0', payload: { type: 'image', image: 'https://api.twilio.com/m0' } },
      { providerEventId: 'SM1:media:1', payload: { type: 'file', file: 'https://api.twilio.com/m1' } },
    ]);
  });

  it('reads a WhatsApp location and a quick-reply button', () => {
    const location = { ...incoming, Latitude: '48.85', Longitude: '2.35', Label: 'Home', Address: '1 Rue' };
    expect(twilioAdapter.parse(signed(location), config)).toMatchObject([
      { payload: { type: 'location', latitude: 48.85, longitude: 2.35, title: 'Home', address: '1 Rue' } },
    ]);
    const button = { ...incoming, Body: 'Red', ButtonText: 'Red', ButtonPayload: 'RED' };
    expect(twilioAdapter.parse(signed(button), config)).toMatchObject([
      { payload: { type: 'text', text: 'Red', value: 'RED' } },
    ]);
  });

  it('reads status callbacks: delivered, read, failed with the error code; ignores the others', () => {
    const status = (MessageStatus: string, extra: Record<string, string> = {}) =>
      twilioAdapter.parse(
        signed({ MessageSid: 'SM9', MessageStatus, SmsStatus: MessageStatus, ...extra }),
        config,
      );
    expect(status('delivered')).toEqual([
      { kind: 'status', providerEventId: 'SM9:delivered', providerMessageId: 'SM9', status: 'delivered' },
    ]);
    expect(status('read')).toMatchObject([{ status: 'read' }]);
    expect(status('undelivered', { ErrorCode: '30003' })).toEqual([
      {
        kind: 'status',
        providerEventId: 'SM9:undelivered',
        providerMessageId: 'SM9',
        status: 'failed',
        reason: 'undelivered: Twilio error 30003',
      },
    ]);
    expect(status('sent')).toEqual([]);
  });
});

describe('twilio render', () => {
  const render = (payload: Payload, settings: TwilioConfig = config) =>
    twilioAdapter.render(payload, address, settings).map((request) => request.body?.value);
  const to = { To: '+15552223333', From: '+15550001111' };

  it('posts a form to Messages.json with Basic auth', () => {
    expect(twilioAdapter.render({ type: 'text', text: 'hi' }, address, config)).toEqual([
      {
        method: 'POST',
        path: `/2010-04-01/Accounts/${config.accountSID}/Messages.json`,
        headers: {
          authorization: `Basic ${Buffer.from(`${config.accountSID}:12345`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: { kind: 'form', value: { ...to, Body: 'hi' } },
      },
    ]);
    expect(render({ type: 'text', text: 'x'.repeat(2000) })).toHaveLength(2);
  });

  it('sends from fromNumber or the Messaging Service when the identity is *, with the status callback', () => {
    const star = { ...address, identity: '*' };
    const settings = { ...config, fromNumber: '+15559990000', statusCallbackUrl: 'https://sb.example/s' };
    expect(twilioAdapter.render({ type: 'text', text: 'hi' }, star, settings)[0]?.body?.value).toEqual({
      To: '+15552223333',
      From: '+15559990000',
      Body: 'hi',
      StatusCallback: 'https://sb.example/s',
    });
    const service = { ...config, messagingServiceSid: `MG${'b'.repeat(32)}` };
    expect(twilioAdapter.render({ type: 'text', text: 'hi' }, star, service)[0]?.body?.value).toEqual({
      To: '+15552223333',
      MessagingServiceSid: `MG${'b'.repeat(32)}`,
      Body: 'hi',
    });
  });

  it('renders media as MediaUrl with the title as Body, or as links with mediaAsLinks', () => {
    expect(render({ type: 'image', image: 'https://x/a.png', title: 'A' })).toEqual([
      { ...to, MediaUrl: 'https://x/a.png', Body: 'A' },
    ]);
    expect(render({ type: 'audio', audio: 'https://x/a.mp3' })).toEqual([
      { ...to, MediaUrl: 'https://x/a.mp3' },
    ]);
    expect(render({ type: 'voice', audio: 'https://x/v.ogg' })).toEqual([
      { ...to, MediaUrl: 'https://x/v.ogg' },
    ]);
    expect(render({ type: 'video', video: 'https://x/v.mp4' })).toEqual([
      { ...to, MediaUrl: 'https://x/v.mp4' },
    ]);
    expect(render({ type: 'file', file: 'https://x/f.pdf', title: 'F' })).toEqual([
      { ...to, MediaUrl: 'https://x/f.pdf', Body: 'F' },
    ]);
    expect(
      render({ type: 'image', image: 'https://x/a.png', title: 'A' }, { ...config, mediaAsLinks: true }),
    ).toEqual([{ ...to, Body: 'A\nhttps://x/a.png' }]);
  });

  it('renders a location as a map link', () => {
    expect(render({ type: 'location', latitude: 1, longitude: 2, title: 'Cafe' })).toEqual([
      { ...to, Body: 'Cafe\nhttps://www.google.com/maps/search/?api=1&query=1,2' },
    ]);
  });

  it('renders cards with their image as media, carousels as one message per card', () => {
    const card = {
      title: 'Shoe',
      image: 'https://x/shoe.png',
      actions: [
        { action: 'Open URL', title: 'Shop', url: 'https://x/shop' },
        { action: 'Postback', title: 'Buy', payload: 'BUY' },
      ],
    };
    expect(render({ type: 'card', ...card })).toEqual([
      { ...to, MediaUrl: 'https://x/shoe.png', Body: 'Shoe\nShop: https://x/shop\n1. Buy' },
    ]);
    expect(render({ type: 'carousel', items: [card, { ...card, image: undefined, title: 'Hat' }] })).toEqual([
      { ...to, MediaUrl: 'https://x/shoe.png', Body: 'Shoe\nShop: https://x/shop\n1. Buy' },
      { ...to, Body: 'Hat\nShop: https://x/shop\n1. Buy' },
    ]);
  });

  it('renders choices and dropdowns as numbered text, unknown types as their text or nothing', () => {
    const choices = [
      { title: 'Red', value: 'RED' },
      { title: 'Blue', value: 'BLUE' },
    ];
    expect(render({ type: 'single-choice', text: 'Pick', choices })).toEqual([
      { ...to, Body: 'Pick\n1. Red\n2. Blue' },
    ]);
    const options = choices.map((choice) => ({ label: choice.title, value: choice.value }));
    expect(render({ type: 'dropdown', message: 'Pick', options })).toEqual([
      { ...to, Body: 'Pick\n1. Red\n2. Blue' },
    ]);
    expect(render({ type: 'custom', text: 'fallback' })).toEqual([{ ...to, Body: 'fallback' }]);
    expect(render({ type: 'custom' })).toEqual([]);
    expect(twilioAdapter.renderTyping(address, config, 'on')).toBeNull();
  });
});

describe('twilio interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    twilioAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the message sid from a 201', () => {
    expect(answer(201, { sid: 'SMabc', status: 'queued' })).toEqual({
      kind: 'sent',
      providerMessageId: 'SMabc',
    });
  });

  it('retries a 429 after Retry-After and a 5xx', () => {
    expect(
      answer(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'retry-after': '2' }),
    ).toEqual({
      kind: 'retry',
      reason: 'rate limited: Too Many Requests (Twilio error 20429)',
      retryAfterMs: 2000,
    });
    expect(
      answer(503, { code: 20500, message: 'An internal server error has occurred', status: 503 }).kind,
    ).toBe('retry');
  });

  it("fails a 4xx with Twilio's message and code", () => {
    expect(
      answer(400, { code: 21211, message: "The 'To' number 123 is not a valid phone number.", status: 400 }),
    ).toEqual({
      kind: 'failed',
      reason: "The 'To' number 123 is not a valid phone number. (Twilio error 21211)",
    });
  });
});
