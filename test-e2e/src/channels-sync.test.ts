import { botpressChannelConfigs, botpressChannelSecrets } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, http } from './http.js';
import { TestSystem } from './system.js';

type Channel = keyof typeof botpressChannelConfigs;
const channels = Object.keys(botpressChannelConfigs) as Channel[];

interface Synced {
  id: string;
  token: string;
}

interface BotpressError {
  statusCode: number;
  error: string;
  message: string;
}

type Health = { channels: Record<string, { events: { type: string; data?: { enabled?: boolean } }[] }> };

/**
 * Channel configuration through sync: a Botpress client's configuration of every channel is accepted
 * as it is and stored sealed; a bad one is refused in the Botpress error format, naming the field, and
 * changes nothing.
 */
describe('channel configuration through sync', () => {
  let system: TestSystem;
  let sql: postgres.Sql;
  const url = () => system.gatewayUrl;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['command-handler', 'projector', 'gateway'] });
    sql = postgres(system.db.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await system?.stop();
  });

  const sync = (body: Record<string, unknown>) =>
    http<Synced & BotpressError>(url(), 'POST', '/api/v1/sync', { body });
  const health = async (client: Synced) =>
    (await http<Health>(url(), 'GET', '/api/v1/health', { headers: clientHeaders(client.id, client.token) }))
      .body;
  /** Everything the store and the read models hold, as text. */
  const storedText = async () => {
    const [events] =
      await sql`SELECT coalesce(string_agg(data::text || metadata::text, ' '), '') AS t FROM es.events`;
    const [commands] = await sql`SELECT coalesce(string_agg(result::text, ' '), '') AS t FROM es.commands`;
    const [configs] =
      await sql`SELECT coalesce(string_agg(config_sealed, ' '), '') AS t FROM rm.client_channels`;
    return `${events?.t} ${commands?.t} ${configs?.t}`;
  };
  const eventCount = async () => Number((await sql`SELECT count(*)::int AS n FROM es.events`)[0]?.n);

  it("accepts a Botpress client's configuration of every channel unchanged, and keeps its secrets sealed", async () => {
    const res = await sync({ channels: botpressChannelConfigs });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const configured = await health(res.body);
    expect(Object.keys(configured.channels).sort()).toEqual([...channels].sort());
    for (const channel of channels) {
      expect(configured.channels[channel]?.events[0]).toMatchObject({
        type: 'configure',
        data: { enabled: true },
      });
    }
    const everything = `${JSON.stringify(res.body)} ${JSON.stringify(configured)} ${await storedText()}`;
    for (const secret of Object.values(botpressChannelSecrets).flat())
      expect(everything).not.toContain(secret);
    const rows = await sql<{ config_sealed: string }[]>`
      SELECT config_sealed FROM rm.client_channels WHERE client_id = ${res.body.id}`;
    expect(rows).toHaveLength(channels.length);
    for (const row of rows) expect(() => JSON.parse(row.config_sealed)).toThrow();
  });

  it('keeps a channel with enabled: false configured but not in use', async () => {
    const res = await sync({
      channels: { telegram: { ...botpressChannelConfigs.telegram, enabled: false } },
    });
    expect(res.status).toBe(200);
    expect((await health(res.body)).channels.telegram?.events[0]).toMatchObject({
      type: 'configure',
      data: { enabled: false },
    });
  });

  it('refuses a configuration without a required field, naming it, and creates no client', async () => {
    const before = await eventCount();
    const { accountSID: _, ...twilio } = botpressChannelConfigs.twilio;
    const res = await sync({ channels: { telegram: botpressChannelConfigs.telegram, twilio } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'channels.twilio.accountSID is required',
    });
    expect(await eventCount()).toBe(before);
  });

  it("refuses a bad configuration of an existing client's channel and leaves its configuration as it was", async () => {
    const client = (await sync({ channels: { slack: botpressChannelConfigs.slack } })).body;
    const before = { health: await health(client), events: await eventCount() };
    const refusals: [Record<string, unknown>, string][] = [
      [
        { slack: { ...botpressChannelConfigs.slack, signingSecret: 42 } },
        'channels.slack.signingSecret must be a string',
      ],
      [
        { slack: { ...botpressChannelConfigs.slack, enabled: 'no' } },
        'channels.slack.enabled must be a boolean',
      ],
      [{ email: { ...botpressChannelConfigs.email, port: '587' } }, 'channels.email.port must be an integer'],
      [{ telegram: 'a-token' }, 'channels.telegram must be an object'],
      [{ whatsapp: { token: 'x' } }, 'channels.whatsapp is not a channel Switchboard knows'],
      [{ messenger: { appSecret: 's', verifyToken: 'v' } }, 'channels.messenger.accessToken is required'],
    ];
    for (const [configs, message] of refusals) {
      const res = await sync({ id: client.id, token: client.token, channels: configs });
      expect(res.status, message).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message).toContain(message);
    }
    expect(await eventCount()).toBe(before.events);
    expect(await health(client)).toEqual(before.health);
  });

  it('answers a wrong token with 403 before looking at the configuration', async () => {
    const client = (await sync({})).body;
    const res = await sync({ id: client.id, token: 'wrong', channels: { pigeon: {} } });
    expect(res.status).toBe(403);
  });
});
