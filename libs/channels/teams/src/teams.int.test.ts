import type {
  ChannelAddress,
  InboundRequest,
  Payload,
  ProviderRequest,
  ProviderResponse,
} from '@switchboard/contracts';
import { otherSigningKey, sendToFake, startTeamsFake, type TeamsFake } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamsAdapter } from './adapter.js';
import type { JsonWebKeySet, TeamsSendConfig } from './config.js';
import { interpretTeamsTokenAnswer, renderTeamsTokenRequest } from './token.js';

const address: ChannelAddress = { identity: '*', sender: '29:1person', thread: 'a:1personal-chat' };

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

describe('teams adapter against the fake Bot Framework', () => {
  let fake: TeamsFake;
  let config: TeamsSendConfig;

  beforeAll(async () => {
    fake = await startTeamsFake();
    config = { appId: fake.appId, appPassword: fake.appPassword };
  });
  afterAll(() => fake.close());

  const call = (request: ProviderRequest): Promise<ProviderResponse> => sendToFake(fake.baseUrl, request);

  async function withToken(): Promise<TeamsSendConfig> {
    const outcome = interpretTeamsTokenAnswer(await call(renderTeamsTokenRequest(config)));
    if (outcome.kind !== 'token') throw new Error(`no token: ${JSON.stringify(outcome)}`);
    return { ...config, accessToken: outcome.accessToken };
  }

  it('obtains a token, then delivers every payload type to the conversation', async () => {
    const sendConfig = await withToken();
    for (const payload of everyPayload) {
      const before = fake.activities.length;
      for (const request of teamsAdapter.render(payload, address, sendConfig)) {
        const outcome = teamsAdapter.interpretSend(await call(request));
        expect(outcome, payload.type).toEqual({
          kind: 'sent',
          providerMessageId: fake.activities.at(-1)?.id,
        });
      }
      const accepted = fake.activities.slice(before);
      expect(accepted.length, payload.type).toBeGreaterThan(0);
      for (const record of accepted) expect(record.conversationId).toBe(address.thread);
    }
  });

  it('delivers the typing activity', async () => {
    const typing = teamsAdapter.renderTyping(address, await withToken(), 'on');
    expect(teamsAdapter.interpretSend(await call(typing!))).toMatchObject({ kind: 'sent' });
    expect(fake.activities.at(-1)?.activity).toEqual({ type: 'typing' });
  });

  it('is refused without a valid token; a wrong secret gets no token', async () => {
    const [request] = teamsAdapter.render({ type: 'text', text: 'x' }, address, {
      ...config,
      accessToken: 'forged',
    });
    expect(teamsAdapter.interpretSend(await call(request!))).toEqual({
      kind: 'failed',
      reason: 'Authorization has been denied for this request.',
    });
    const refused = interpretTeamsTokenAnswer(
      await call(renderTeamsTokenRequest({ ...config, appPassword: 'wrong' })),
    );
    expect(refused).toMatchObject({ kind: 'failed', reason: expect.stringContaining('AADSTS7000215') });
  });

  it('retries a scripted 429 after Retry-After and fails a 400 with its reason', async () => {
    const [request] = teamsAdapter.render({ type: 'text', text: 'again' }, address, await withToken());
    fake.failNext({ status: 429, retryAfterSeconds: 4 });
    expect(teamsAdapter.interpretSend(await call(request!))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 4000,
    });
    fake.failNext({
      status: 400,
      body: { error: { code: 'BadArgument', message: 'Conversation not found' } },
    });
    expect(teamsAdapter.interpretSend(await call(request!))).toEqual({
      kind: 'failed',
      reason: 'BadArgument: Conversation not found',
    });
    expect(teamsAdapter.interpretSend(await call(request!))).toMatchObject({ kind: 'sent' });
  });

  it('verifies the fake’s signed activity with keys fetched from its OpenID metadata, and parses it', async () => {
    const metadata = (await (await fetch(`${fake.baseUrl}/v1/.well-known/openidconfiguration`)).json()) as {
      jwks_uri: string;
    };
    const jwks = (await (await fetch(metadata.jwks_uri)).json()) as JsonWebKeySet;
    const { headers, body } = fake.signedWebhook(
      fake.textActivity({ fromId: '29:1person', conversationId: address.thread, text: 'hi bot' }),
    );
    const request: InboundRequest = {
      method: 'POST',
      url: 'https://sb.test/w',
      headers,
      query: {},
      rawBody: Buffer.from(body),
    };
    const ctx = { nowSeconds: Math.floor(Date.now() / 1000), jwks };
    expect(teamsAdapter.verify(request, config, ctx)).toEqual({ ok: true });
    expect(teamsAdapter.parse(request, config)).toMatchObject([
      { kind: 'message', address, payload: { type: 'text', text: 'hi bot' } },
    ]);

    const forged = {
      ...request,
      headers: { ...headers, authorization: `Bearer ${fake.signToken({}, { key: otherSigningKey() })}` },
    };
    expect(teamsAdapter.verify(forged, config, ctx)).toMatchObject({ ok: false, status: 401 });
  });
});
