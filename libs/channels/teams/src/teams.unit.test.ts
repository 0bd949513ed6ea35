import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { ChannelAddress, InboundRequest, Payload, ProviderRequest } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { teamsAdapter } from './adapter.js';
import type { JsonWebKeySet, TeamsSendConfig } from './config.js';
import { interpretTeamsTokenAnswer, renderTeamsTokenRequest } from './token.js';
import type { TeamsVerifyContext } from './verify.js';

const appId = '7d4c2a8e-0000-4000-8000-000000000001';
const serviceUrl = 'https://smba.trafficmanager.net/emea/';
const now = 1_700_000_000;

function rsaKey(kid: string, endorsements?: string[]) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    privateKey,
    jwk: { kty: 'RSA', kid, n: String(jwk.n), e: String(jwk.e), ...(endorsements ? { endorsements } : {}) },
  };
}

const published = rsaKey('key-1', ['msteams', 'webchat']);
const stranger = rsaKey('key-1');
const jwks: JsonWebKeySet = { keys: [published.jwk] };
const config: TeamsSendConfig = { appId, appPassword: 'pw', accessToken: 'bearer-token' };
const ctx: TeamsVerifyContext = { nowSeconds: now, jwks };
const address: ChannelAddress = { identity: '*', sender: '29:1abc', thread: 'a:1conversation;messageid=9' };

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function token(
  claims: Record<string, unknown> = {},
  options: { key?: KeyObject; header?: Record<string, unknown> } = {},
): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'key-1', ...options.header };
  const payload = {
    iss: 'https://api.botframework.com',
    aud: appId,
    serviceUrl,
    nbf: now - 10,
    exp: now + 3600,
    ...claims,
  };
  const signed = `${b64(header)}.${b64(payload)}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), options.key ?? published.privateKey).toString('base64url')}`;
}

function activity(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: '1700000000123',
    timestamp: '2023-11-14T22:13:20.123Z',
    channelId: 'msteams',
    serviceUrl,
    from: { id: '29:1abc', name: 'Ada', aadObjectId: 'aad-1' },
    conversation: { id: 'a:1conversation', conversationType: 'personal', tenantId: 't1' },
    recipient: { id: `28:${appId}`, name: 'Bot' },
    text: 'hello',
    ...fields,
  };
}

function inbound(body: unknown, authorization?: string): InboundRequest {
  return {
    method: 'POST',
    url: 'https://sb.test/webhooks/c1/teams',
    headers: authorization === undefined ? {} : { authorization },
    query: {},
    rawBody: Buffer.from(JSON.stringify(body)),
  };
}

describe('teams verify', () => {
  const verify = (request: InboundRequest, context: TeamsVerifyContext = ctx) =>
    teamsAdapter.verify(request, config, context);

  it('accepts a Bot Connector token signed by a published key, with matching claims', () => {
    expect(verify(inbound(activity(), `Bearer ${token()}`))).toEqual({ ok: true });
    // Five minutes of clock skew are allowed on exp.
    expect(verify(inbound(activity(), `Bearer ${token({ exp: now - 299 })}`))).toEqual({ ok: true });
  });

  it('takes the keys from the config when the context has none', () => {
    expect(
      teamsAdapter.verify(inbound(activity(), `Bearer ${token()}`), { ...config, jwks }, { nowSeconds: now }),
    ).toEqual({
      ok: true,
    });
    expect(
      teamsAdapter.verify(inbound(activity(), `Bearer ${token()}`), config, { nowSeconds: now }),
    ).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('rejects a missing token, a token from another key, an unknown kid, and other algorithms', () => {
    expect(verify(inbound(activity()))).toMatchObject({ ok: false, status: 401 });
    expect(verify(inbound(activity(), `Bearer ${token({}, { key: stranger.privateKey })}`))).toMatchObject({
      ok: false,
      reason: 'token signature does not verify',
    });
    expect(verify(inbound(activity(), `Bearer ${token({}, { header: { kid: 'key-2' } })}`))).toMatchObject({
      ok: false,
    });
    const unsigned = `${b64({ alg: 'none', kid: 'key-1' })}.${b64({ iss: 'https://api.botframework.com', aud: appId, serviceUrl, exp: now + 60 })}.`;
    expect(verify(inbound(activity(), `Bearer ${unsigned}`))).toMatchObject({ ok: false });
    expect(verify(inbound(activity(), `Bearer ${token({}, { header: { alg: 'HS256' } })}`))).toMatchObject({
      ok: false,
    });
    expect(verify(inbound(activity(), 'Bearer not.a.jwt'))).toMatchObject({ ok: false });
  });

  it('rejects a wrong issuer, another bot as audience, an expired or not-yet-valid token', () => {
    expect(
      verify(inbound(activity(), `Bearer ${token({ iss: 'https://sts.windows.net/x/' })}`)),
    ).toMatchObject({ ok: false });
    expect(verify(inbound(activity(), `Bearer ${token({ aud: 'another-bot' })}`))).toMatchObject({
      ok: false,
    });
    expect(verify(inbound(activity(), `Bearer ${token({ exp: now - 301 })}`))).toMatchObject({
      ok: false,
      reason: 'token expired',
    });
    expect(verify(inbound(activity(), `Bearer ${token({ nbf: now + 301 })}`))).toMatchObject({ ok: false });
  });

  it("rejects a body whose serviceUrl differs from the token's (the token does not sign the rest of the body)", () => {
    const tampered = inbound(activity({ serviceUrl: 'https://attacker.test/' }), `Bearer ${token()}`);
    expect(verify(tampered)).toMatchObject({
      ok: false,
      reason: "token serviceUrl does not match the activity's",
    });
  });

  it('rejects a key not endorsed for the activity’s channel', () => {
    expect(verify(inbound(activity({ channelId: 'slack' }), `Bearer ${token()}`))).toMatchObject({
      ok: false,
      reason: 'signing key is not endorsed for channel slack',
    });
  });

  it('has no handshake', () => {
    expect(teamsAdapter.handshake(inbound(activity()), config)).toBeNull();
  });
});

describe('teams parse', () => {
  const parse = (body: unknown) => teamsAdapter.parse(inbound(body), config);

  it('reads a message with the Teams user as sender and the conversation as thread', () => {
    expect(parse(activity({ text: '<at>Bot</at> hello there' }))).toEqual([
      {
        kind: 'message',
        providerEventId: 'a:1conversation|1700000000123',
        providerMessageId: '1700000000123',
        address: { identity: '*', sender: '29:1abc', thread: 'a:1conversation' },
        payload: { type: 'text', text: 'hello there' },
        receivedAt: '2023-11-14T22:13:20.123Z',
      },
    ]);
  });

  it('reads a button or dropdown choice as text with value', () => {
    expect(parse(activity({ text: 'RED', value: { switchboardChoice: 'RED' } }))[0]).toMatchObject({
      payload: { type: 'text', text: 'RED', value: 'RED' },
    });
    expect(parse(activity({ text: undefined, value: { switchboardChoice: 'm' } }))[0]).toMatchObject({
      payload: { type: 'text', text: 'm', value: 'm' },
    });
  });

  it('reads media attachments and skips the html copy of the text', () => {
    const attachments = [
      { contentType: 'text/html', content: '<p>look</p>' },
      { contentType: 'image/png', contentUrl: 'https://smba.test/img/1', name: 'shot.png' },
      { contentType: 'audio/mpeg', contentUrl: 'https://smba.test/a' },
      { contentType: 'video/mp4', contentUrl: 'https://smba.test/v' },
      {
        contentType: 'application/vnd.microsoft.teams.file.download.info',
        name: 'report.pdf',
        content: { downloadUrl: 'https://files.test/report.pdf', fileType: 'pdf' },
      },
    ];
    const results = parse(activity({ text: 'look', attachments }));
    expect(results.map((result) => (result.kind === 'message' ? result.payload : undefined))).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', image: 'https://smba.test/img/1', title: 'shot.png' },
      { type: 'audio', audio: 'https://smba.test/a' },
      { type: 'video', video: 'https://smba.test/v' },
      { type: 'file', file: 'https://files.test/report.pdf', title: 'report.pdf' },
    ]);
    expect(results[1]?.providerEventId).toBe('a:1conversation|1700000000123#1');
  });

  it('reads the read receipt event as a read status; skips conversation updates', () => {
    const receipt = activity({
      type: 'event',
      name: 'application/vnd.microsoft.readReceipt',
      value: { lastReadMessageId: '1:sent-42' },
      text: undefined,
    });
    expect(parse(receipt)).toEqual([
      {
        kind: 'status',
        providerEventId: 'a:1conversation|read|1:sent-42',
        providerMessageId: '1:sent-42',
        status: 'read',
        at: '2023-11-14T22:13:20.123Z',
      },
    ]);
    expect(parse(activity({ type: 'conversationUpdate', membersAdded: [{ id: '29:x' }] }))).toEqual([]);
  });
});

describe('teams render', () => {
  const render = (payload: Payload) => teamsAdapter.render(payload, address, config);
  const bodyOf = (request: ProviderRequest | undefined) => request?.body?.value as Record<string, unknown>;
  const attachmentOf = (request: ProviderRequest | undefined) =>
    (bodyOf(request).attachments as Record<string, unknown>[])[0] as {
      contentType: string;
      content: Record<string, unknown>;
    };

  it('posts to the conversation’s activities with the bearer token', () => {
    const [request] = render({ type: 'text', text: 'Hi **there**', markdown: true });
    expect(request).toEqual({
      method: 'POST',
      path: '/v3/conversations/a%3A1conversation%3Bmessageid%3D9/activities',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bearer-token' },
      body: { kind: 'json', value: { type: 'message', text: 'Hi **there**', textFormat: 'markdown' } },
    });
    expect(bodyOf(render({ type: 'text', text: 'plain' })[0])).toEqual({
      type: 'message',
      text: 'plain',
      textFormat: 'plain',
    });
  });

  it('attaches an image by URL with its media type', () => {
    expect(bodyOf(render({ type: 'image', image: 'https://cdn.test/p.JPG?x=1', title: 'Pic' })[0])).toEqual({
      type: 'message',
      attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://cdn.test/p.JPG?x=1', name: 'Pic' }],
    });
  });

  it('sends audio, voice, video and files as hero cards that open the URL', () => {
    const cases: [Payload, string, string][] = [
      [{ type: 'audio', audio: 'https://cdn.test/song.mp3' }, 'song.mp3', 'https://cdn.test/song.mp3'],
      [{ type: 'voice', audio: 'https://cdn.test/v.ogg' }, 'Voice message', 'https://cdn.test/v.ogg'],
      [
        { type: 'video', video: 'https://cdn.test/clip.mp4', title: 'Clip' },
        'Clip',
        'https://cdn.test/clip.mp4',
      ],
      [{ type: 'file', file: 'https://cdn.test/a%20b.pdf' }, 'a b.pdf', 'https://cdn.test/a%20b.pdf'],
    ];
    for (const [payload, title, url] of cases) {
      expect(attachmentOf(render(payload)[0])).toEqual({
        contentType: 'application/vnd.microsoft.card.hero',
        content: { title, buttons: [{ type: 'openUrl', title: 'Open', value: url }] },
      });
    }
  });

  it('sends a location as a hero card with a map link', () => {
    expect(
      attachmentOf(render({ type: 'location', latitude: 48.85, longitude: 2.35, address: 'Paris' })[0])
        .content,
    ).toEqual({
      title: 'Location',
      subtitle: 'Paris',
      buttons: [
        {
          type: 'openUrl',
          title: 'Open map',
          value: 'https://www.google.com/maps/search/?api=1&query=48.85,2.35',
        },
      ],
    });
  });

  it('sends a card as a hero card: openUrl, imBack for "Say something", messageBack for postbacks', () => {
    const attachment = attachmentOf(
      render({
        type: 'card',
        title: 'Shoes',
        subtitle: 'Size 42',
        image: 'https://cdn.test/s.png',
        actions: [
          { action: 'Open URL', title: 'See', url: 'https://shop.test' },
          { action: 'Say something', title: 'Ask', text: 'Tell me more' },
          { action: 'Postback', title: 'Buy', payload: 'BUY' },
        ],
      })[0],
    );
    expect(attachment).toEqual({
      contentType: 'application/vnd.microsoft.card.hero',
      content: {
        title: 'Shoes',
        subtitle: 'Size 42',
        images: [{ url: 'https://cdn.test/s.png' }],
        buttons: [
          { type: 'openUrl', title: 'See', value: 'https://shop.test' },
          { type: 'imBack', title: 'Ask', value: 'Tell me more' },
          {
            type: 'messageBack',
            title: 'Buy',
            displayText: 'Buy',
            text: 'BUY',
            value: { switchboardChoice: 'BUY' },
          },
        ],
      },
    });
  });

  it('sends a carousel as hero cards laid out as a carousel, ten per activity', () => {
    const items = Array.from({ length: 11 }, (_, index) => ({ title: `Item ${index}`, actions: [] }));
    const requests = render({ type: 'carousel', items });
    expect(requests.map((request) => (bodyOf(request).attachments as unknown[]).length)).toEqual([10, 1]);
    expect(bodyOf(requests[0]).attachmentLayout).toBe('carousel');
  });

  it('sends a single choice as messageBack buttons, and as a dropdown past six choices', () => {
    const attachment = attachmentOf(
      render({ type: 'single-choice', text: 'Colour?', choices: [{ title: 'Red', value: 'RED' }] })[0],
    );
    expect(attachment).toEqual({
      contentType: 'application/vnd.microsoft.card.hero',
      content: {
        text: 'Colour?',
        buttons: [
          {
            type: 'messageBack',
            title: 'Red',
            displayText: 'Red',
            text: 'RED',
            value: { switchboardChoice: 'RED' },
          },
        ],
      },
    });
    const choices = Array.from({ length: 7 }, (_, index) => ({ title: `C${index}`, value: `c${index}` }));
    expect(attachmentOf(render({ type: 'single-choice', text: 'Pick', choices })[0]).contentType).toBe(
      'application/vnd.microsoft.card.adaptive',
    );
  });

  it('sends a dropdown as an Adaptive Card with a compact choice set submitting switchboardChoice', () => {
    const attachment = attachmentOf(
      render({
        type: 'dropdown',
        message: 'Size?',
        options: [
          { label: 'Small', value: 's' },
          { label: 'Large', value: 'l' },
        ],
      })[0],
    );
    expect(attachment).toEqual({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        type: 'AdaptiveCard',
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        version: '1.2',
        body: [
          { type: 'TextBlock', text: 'Size?', wrap: true },
          {
            type: 'Input.ChoiceSet',
            id: 'switchboardChoice',
            style: 'compact',
            value: 's',
            choices: [
              { title: 'Small', value: 's' },
              { title: 'Large', value: 'l' },
            ],
          },
        ],
        actions: [{ type: 'Action.Submit', title: 'Send' }],
      },
    });
  });

  it('sends an unknown type with text as text, skips one without', () => {
    expect(bodyOf(render({ type: 'poll', text: 'Vote!' })[0])).toEqual({
      type: 'message',
      text: 'Vote!',
      textFormat: 'plain',
    });
    expect(render({ type: 'poll' })).toEqual([]);
  });

  it('renders typing as a typing activity', () => {
    expect(teamsAdapter.renderTyping(address, config, 'on')?.body).toEqual({
      kind: 'json',
      value: { type: 'typing' },
    });
    // The indicator goes by itself: nothing to send to end it.
    expect(teamsAdapter.renderTyping(address, config, 'off')).toBeNull();
  });
});

describe('teams interpretSend', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    teamsAdapter.interpretSend({ status, headers, body: JSON.stringify(body) });

  it('reads the activity id of a success', () => {
    expect(answer(201, { id: '1:abc' })).toEqual({ kind: 'sent', providerMessageId: '1:abc' });
  });

  it('retries 429 after Retry-After, 412 and 5xx', () => {
    expect(answer(429, { error: { code: 'Throttled', message: 'slow' } }, { 'retry-after': '2' })).toEqual({
      kind: 'retry',
      reason: 'rate limited: Throttled: slow',
      retryAfterMs: 2000,
    });
    expect(answer(412, { error: { code: 'PreconditionFailed', message: 'x' } })).toMatchObject({
      kind: 'retry',
    });
    expect(answer(502, {})).toMatchObject({ kind: 'retry' });
  });

  it('fails other 4xx with the connector’s own message', () => {
    expect(answer(400, { error: { code: 'BadArgument', message: 'Unknown attachment type' } })).toEqual({
      kind: 'failed',
      reason: 'BadArgument: Unknown attachment type',
    });
    expect(answer(401, { message: 'Authorization has been denied for this request.' })).toEqual({
      kind: 'failed',
      reason: 'Authorization has been denied for this request.',
    });
  });
});

describe('teams token', () => {
  it('asks Entra ID for a client-credentials token for the Bot Framework scope', () => {
    expect(
      renderTeamsTokenRequest({ appId, appPassword: 'pw', tenantId: 'contoso.onmicrosoft.com' }),
    ).toEqual({
      method: 'POST',
      path: '/contoso.onmicrosoft.com/oauth2/v2.0/token',
      headers: {},
      body: {
        kind: 'form',
        value: {
          grant_type: 'client_credentials',
          client_id: appId,
          client_secret: 'pw',
          scope: 'https://api.botframework.com/.default',
        },
      },
    });
    expect(renderTeamsTokenRequest({ appId, appPassword: 'pw' }).path).toBe(
      '/botframework.com/oauth2/v2.0/token',
    );
  });

  it('reads the token, or the error description', () => {
    const ok = {
      status: 200,
      headers: {},
      body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 't' }),
    };
    expect(interpretTeamsTokenAnswer(ok)).toEqual({
      kind: 'token',
      accessToken: 't',
      expiresInSeconds: 3599,
    });
    const refused = {
      status: 401,
      headers: {},
      body: JSON.stringify({
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
      }),
    };
    expect(interpretTeamsTokenAnswer(refused)).toEqual({
      kind: 'failed',
      reason: 'AADSTS7000215: Invalid client secret provided.',
    });
    expect(interpretTeamsTokenAnswer({ status: 503, headers: {}, body: '' })).toMatchObject({
      kind: 'retry',
    });
  });
});
