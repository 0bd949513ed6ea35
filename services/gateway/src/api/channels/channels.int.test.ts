import { randomUUID } from 'node:crypto';
import { type Bus, connectBus, inboxStream } from '@switchboard/bus';
import type { InboxMessage } from '@switchboard/contracts';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import { createEventStore } from '@switchboard/event-store';
import { migrateReadModels } from '@switchboard/read-models';
import { createLogger } from '@switchboard/telemetry';
import {
  createTestDatabase,
  createTestNats,
  otherSigningKey,
  type SlackFake,
  startSlackFake,
  startTeamsFake,
  startTelegramFake,
  startTwilioFake,
  type TeamsFake,
  type TelegramFake,
  type TestDatabase,
  type TestNats,
  type TwilioFake,
} from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import type { GatewayConfig } from '../../config.js';
import type { GatewayDeps } from '../../deps.js';
import { channelWebhooks } from './index.js';

const secrets = new SecretBox('3c'.repeat(32));

describe('provider webhooks', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let sql: postgres.Sql;
  let bus: Bus;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let telegram: TelegramFake;
  let slack: SlackFake;
  let twilio: TwilioFake;
  let teams: TeamsFake;
  const clientId = randomUUID();

  const configure = (channel: string, config: object, enabled = true) => sql`
    INSERT INTO rm.client_channels (client_id, channel, enabled, config_sealed, configured_at)
    VALUES (${clientId}, ${channel}, ${enabled}, ${secrets.encryptJson(config)}, now())`;

  /** The inbox messages stored so far (the stream is a work queue nobody consumes here). */
  const stored = async (): Promise<InboxMessage[]> => {
    const info = await bus.jsm.streams.info(bus.names.streams.inbox);
    const messages: InboxMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const msg = await bus.jsm.streams.getMessage(bus.names.streams.inbox, { seq }).catch(() => null);
      if (msg) messages.push(msg.json<InboxMessage>());
    }
    return messages;
  };

  const post = (path: string, request: { headers: Record<string, string>; body: string }) =>
    fetch(`${base}${path}`, { method: 'POST', headers: request.headers, body: request.body });

  beforeAll(async () => {
    [db, nats, telegram, slack, twilio, teams] = await Promise.all([
      createTestDatabase(),
      createTestNats(),
      startTelegramFake(),
      startSlackFake(),
      startTwilioFake(),
      startTeamsFake(),
    ]);
    sql = postgres(db.url, { max: 4, onnotice: () => {} });
    await migrateReadModels(sql);
    bus = await connectBus({ servers: nats.url, name: 'gateway-test', namespace: nats.namespace });
    await configure('telegram', { botToken: telegram.botToken, webhookSecret: telegram.webhookSecret });
    await configure('slack', { botToken: slack.botToken, signingSecret: slack.signingSecret });
    await configure('twilio', { accountSID: twilio.accountSid, authToken: twilio.authToken });
    await configure('teams', { appId: teams.appId, appPassword: teams.appPassword });
    await configure('vonage', { apiKey: 'k', apiSecret: 's', signatureSecret: 'x' }, false);
    const config = {
      BODY_LIMIT_BYTES: 65_536,
      TEAMS_OPENID_METADATA_URL: `${teams.baseUrl}/v1/.well-known/openidconfiguration`,
    } as GatewayConfig;
    const deps: GatewayDeps = {
      config,
      logger: createLogger('gateway-test', 'silent'),
      bus,
      sql,
      store: createEventStore({ sql, upcasters: eventUpcasters }),
      secrets,
      commands: {
        send: () => {
          throw new Error('webhooks send no commands');
        },
      },
      findClient: async () => null,
      readiness: async () => ({}),
    };
    app = await buildApp(deps, [channelWebhooks(deps)]);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await sql?.end();
    await Promise.all([telegram, slack, twilio, teams].map((fake) => fake?.close()));
    await nats?.close();
    await db?.drop();
  });

  it('stores a verified webhook in INBOX once, however often the provider sends it', async () => {
    const update = telegram.textUpdate({ fromId: 42, text: 'hello' });
    const webhook = telegram.signedWebhook(update);
    for (let i = 0; i < 2; i++) {
      const answer = await post(`/webhooks/${clientId}/telegram`, webhook);
      expect(answer.status).toBe(200);
    }
    const messages = await stored();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      clientId,
      channel: 'telegram',
      inbound: {
        kind: 'message',
        providerEventId: String(update.update_id),
        address: { identity: '*', sender: '42', thread: '42' },
        payload: { type: 'text', text: 'hello' },
      },
    });
    const info = await bus.jsm.streams.info(bus.names.streams.inbox);
    expect(info.config).toMatchObject({ name: inboxStream(bus.names).name });
  });

  it("stores a provider's NUL character as U+FFFD: nothing could store it, and refusing it would lose the message", async () => {
    const update = telegram.textUpdate({ fromId: 45, text: 'before\u0000after' });
    const answer = await post(`/webhooks/${clientId}/telegram`, telegram.signedWebhook(update));
    expect(answer.status).toBe(200);
    const mine = (await stored()).find((m) => m.inbound.providerEventId === String(update.update_id));
    expect(mine?.inbound).toMatchObject({ payload: { type: 'text', text: 'before\uFFFDafter' } });
  });

  it('refuses a wrong or missing secret and stores nothing', async () => {
    const before = (await stored()).length;
    const webhook = telegram.signedWebhook(telegram.textUpdate({ fromId: 43, text: 'forged' }));
    const wrong = { ...webhook, headers: { ...webhook.headers, 'x-telegram-bot-api-secret-token': 'nope' } };
    const { 'x-telegram-bot-api-secret-token': _secret, ...unsigned } = webhook.headers;
    expect((await post(`/webhooks/${clientId}/telegram`, wrong)).status).toBeGreaterThanOrEqual(401);
    expect((await post(`/webhooks/${clientId}/telegram`, { ...webhook, headers: unsigned })).status).toBe(
      401,
    );
    expect(await stored()).toHaveLength(before);
  });

  it('answers 404 for an unknown client, an unknown or unconfigured channel, and a disabled one', async () => {
    const webhook = telegram.signedWebhook(telegram.textUpdate({ fromId: 44, text: 'x' }));
    for (const path of [
      `/webhooks/${randomUUID()}/telegram`,
      `/webhooks/not-a-uuid/telegram`,
      `/webhooks/${clientId}/pigeon`,
      `/webhooks/${clientId}/messenger`,
      `/webhooks/${clientId}/vonage`,
    ]) {
      expect((await post(path, webhook)).status, path).toBe(404);
    }
  });

  it('verifies a form body against its raw bytes and the URL called (Twilio)', async () => {
    const url = `${base}/webhooks/${clientId}/twilio`;
    const params = twilio.incomingMessage({ from: '+15550002222', to: '+15550001111', body: 'a & b = c ✓' });
    const answer = await post(`/webhooks/${clientId}/twilio`, twilio.signedWebhook(url, params));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<Response></Response>');
    expect((await stored()).at(-1)?.inbound).toMatchObject({ payload: { text: 'a & b = c ✓' } });
    const elsewhere = twilio.signedWebhook(`${base}/somewhere-else`, params);
    expect([401, 403]).toContain((await post(`/webhooks/${clientId}/twilio`, elsewhere)).status);
  });

  it("answers Slack's signed url_verification with its challenge, and refuses a stale signature", async () => {
    const challenge = slack.signedWebhook({ type: 'url_verification', challenge: 'c-123', token: 't' });
    const answer = await post(`/webhooks/${clientId}/slack`, challenge);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('c-123');
    const stale = slack.signedWebhook(
      slack.messageEvent({ user: 'U1', channel: 'C1', text: 'old' }),
      Math.floor(Date.now() / 1000) - 3600,
    );
    expect((await post(`/webhooks/${clientId}/slack`, stale)).status).toBe(401);
  });

  it('checks Teams tokens against the keys fetched from the OpenID metadata', async () => {
    const activity = teams.textActivity({ fromId: '29:p', conversationId: 'a:c', text: 'hi bot' });
    expect((await post(`/webhooks/${clientId}/teams`, teams.signedWebhook(activity))).status).toBe(200);
    expect((await stored()).at(-1)?.inbound).toMatchObject({ payload: { text: 'hi bot' } });
    const body = JSON.stringify({ ...activity, serviceUrl: teams.baseUrl });
    const forged = teams.signToken({ serviceUrl: teams.baseUrl }, { key: otherSigningKey() });
    const answer = await post(`/webhooks/${clientId}/teams`, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
      body,
    });
    expect(answer.status).toBe(401);
    // The keys were fetched once, not per request.
    expect(teams.requests.filter((r) => r.path === '/v1/.well-known/keys')).toHaveLength(1);
  });
});
