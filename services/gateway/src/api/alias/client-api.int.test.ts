import { migrateReadModels } from '@switchboard/read-models';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../service.js';
import { startTestGateway } from '../../test-gateway.js';
import {
  requestToken,
  type SeededClient,
  seedClient,
  seedConnection,
  seedOutboundMessage,
} from './test-support.js';

/** Any answer of the API, every field it may have typed (a test reads the ones its route has). */
interface Item {
  client_id: string;
  alias_id: string;
  outbound_message_id: string;
  scopes: string[];
  channels: string[] | null;
  nickname: string | null;
  channel: string;
  status: string;
  recipient_count: number;
  delivered_count: number;
  failed_count: number;
  create_dt: string;
  update_dt: string;
}
interface Answer extends Item {
  connections: Item[];
  outbound_messages: Item[];
  deliveries: Item[];
  paging: { total: number; more: boolean; next: number | null };
  error: string;
  error_description: string;
  scope: string;
  access_token: string;
}

// The dialect against real read-model rows (seeded as the projector writes them) and no command
// handler: every answer here is the gateway's own.
describe('Alias client API', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let sql: postgres.Sql;
  let gateway: RunningGateway;
  let a: SeededClient;
  let b: SeededClient;
  let full: string;
  let other: string;
  const alias = {} as Record<'fred' | 'quiet' | 'late' | 'twin' | 'online' | 'revoked' | 'b', string>;
  const OMID = 'LzIX47-iIDVpNmnbXqCYXg';

  const get = async (path: string, accessToken = full) => {
    const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer };
  };
  const send = async (body: unknown, accessToken = full) => {
    const res = await fetch(`${gateway.url}/api/client/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer };
  };
  const ids = (body: Answer, list: 'connections' | 'outbound_messages' = 'connections') =>
    (body[list] as { alias_id?: string; outbound_message_id?: string }[]).map(
      (x) => x.alias_id ?? x.outbound_message_id,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    sql = postgres(db.url, { max: 3, onnotice: () => {} });
    await migrateReadModels(sql);
    gateway = await startTestGateway(db, nats);
    a = await seedClient(sql);
    b = await seedClient(sql);
    const fred = await seedConnection(sql, a.id, {
      channels: ['_meta', 'notifications', 'product_updates'],
      created: '2020-01-19T10:30:00.250Z',
      updated: '2020-06-30T12:15:30Z',
    });
    alias.fred = fred.aliasId;
    alias.quiet = (
      await seedConnection(sql, a.id, {
        scopes: ['openid', 'offline_access'],
        channels: ['_meta'],
        nickname: null,
        created: '2020-01-18T09:00:00Z',
        updated: '2020-01-18T09:00:00Z',
      })
    ).aliasId;
    alias.late = (
      await seedConnection(sql, a.id, {
        channels: ['notifications'],
        created: '2020-01-20T08:00:00Z',
        updated: '2020-01-21T08:00:00Z',
      })
    ).aliasId;
    alias.twin = (
      await seedConnection(sql, a.id, {
        channels: ['product_updates'],
        created: '2020-01-19T10:30:00.250Z',
        updated: '2020-01-19T11:00:00Z',
      })
    ).aliasId;
    alias.online = (
      await seedConnection(sql, a.id, { scopes: ['openid', 'contact'], created: '2020-01-19T12:00:00Z' })
    ).aliasId;
    alias.revoked = (
      await seedConnection(sql, a.id, { revoked: true, created: '2020-01-19T12:00:00Z' })
    ).aliasId;
    const otherUser = await seedConnection(sql, b.id, { created: '2020-01-19T10:30:00Z' });
    alias.b = otherUser.aliasId;

    await seedOutboundMessage(sql, a.id, {
      outboundMessageId: OMID,
      status: 'sent',
      created: '2020-06-30T13:30:00Z',
      updated: '2020-06-30T13:30:10Z',
      recipients: [
        { ...fred, status: 'delivered', created: '2020-06-30T13:30:00Z', updated: '2020-06-30T13:30:10Z' },
        {
          userId: '00000000-0000-4000-8000-000000000001',
          aliasId: 'AAAAAAAAQACAAAAAAAAAAQ',
          status: 'failed',
          created: '2020-06-30T13:30:01Z',
        },
        {
          userId: '00000000-0000-4000-8000-000000000002',
          aliasId: 'AAAAAAAAQACAAAAAAAAAAg',
          status: 'delivering',
          created: '2020-06-30T13:30:02Z',
        },
      ],
    });
    await seedOutboundMessage(sql, a.id, {
      outboundMessageId: 'pending-message-1',
      channel: 'product_updates',
      status: 'pending',
      created: '2020-07-01T00:00:00Z',
    });
    await seedOutboundMessage(sql, a.id, {
      outboundMessageId: 'sending-message-1',
      status: 'sending',
      created: '2020-07-02T00:00:00Z',
    });
    // Client B uses the same outbound message id: ids are per client.
    await seedOutboundMessage(sql, b.id, {
      outboundMessageId: OMID,
      created: '2020-06-30T13:30:00Z',
      recipients: [{ ...otherUser, status: 'delivered', created: '2020-06-30T13:30:00Z' }],
    });
    full = await requestToken(gateway.url, a);
    other = await requestToken(gateway.url, b);
  });
  afterAll(async () => {
    await gateway.stop();
    await sql.end();
    await nats.close();
    await db.drop();
  });

  describe('connections', () => {
    it('lists offline, unrevoked connections, newest first, in the seed’s shape', async () => {
      const res = await get('/api/client/connections');
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([alias.late, ...[alias.fred, alias.twin].sort().reverse(), alias.quiet]);
      expect(res.body.paging).toEqual({ total: 4, more: false, next: null });
      expect(res.body.connections.find((c: { alias_id: string }) => c.alias_id === alias.fred)).toEqual({
        client_id: a.id,
        alias_id: alias.fred,
        scopes: ['openid', 'offline_access', 'contact', 'nickname'],
        channels: ['_meta', 'notifications', 'product_updates'],
        nickname: 'Fred',
        create_dt: '2020-01-19T10:30:00+00:00',
        update_dt: '2020-06-30T12:15:30+00:00',
      });
    });

    it('answers the seed’s example request', async () => {
      const res = await get(
        '/api/client/connections?channel=notifications&created_from=2020-01-19T10:00:00Z',
      );
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([alias.late, alias.fred]);
      expect(res.body.paging).toEqual({ total: 2, more: false, next: null });
    });

    it('filters by alias ids, scopes and channels (repeated or comma-separated: any of them)', async () => {
      expect(
        ids(
          (await get(`/api/client/connections?alias_id=${alias.fred},${alias.quiet}&alias_id=${alias.b}`))
            .body,
        ).sort(),
      ).toEqual([alias.fred, alias.quiet].sort());
      expect(ids((await get('/api/client/connections?scope=nickname&sort=id')).body)).toEqual(
        [alias.fred, alias.late, alias.twin].sort(),
      );
      expect(
        ids((await get('/api/client/connections?channel=product_updates,nothing&sort=created')).body),
      ).toEqual([...[alias.fred, alias.twin].sort()]);
      expect((await get('/api/client/connections?channel=nothing')).body).toEqual({
        connections: [],
        paging: { total: 0, more: false, next: null },
      });
    });

    it('filters by dates, a bare date meaning the whole day, _to inclusive to the second', async () => {
      const of = async (query: string) =>
        ids((await get(`/api/client/connections?sort=created&${query}`)).body);
      expect(await of('created_from=2020-01-19&created_to=2020-01-19')).toEqual(
        [alias.fred, alias.twin].sort(),
      );
      expect(await of('created_to=2020-01-19T10:30:00Z')).toEqual([
        alias.quiet,
        ...[alias.fred, alias.twin].sort(),
      ]);
      expect(await of('created_from=2020-01-19T10:30:01Z')).toEqual([alias.late]);
      expect(await of('created_from=2020-01-19T11:30:00%2B01:00&created_to=2020-01-19T10:30:00Z')).toEqual(
        [alias.fred, alias.twin].sort(),
      );
      expect(await of('updated_from=2020-01-21&updated_to=2020-06-30T12:15:29Z')).toEqual([alias.late]);
    });

    it('sorts by several keys in either direction', async () => {
      expect(ids((await get('/api/client/connections?sort=updated')).body)).toEqual([
        alias.quiet,
        alias.twin,
        alias.late,
        alias.fred,
      ]);
      expect(ids((await get('/api/client/connections?sort=-updated')).body)).toEqual([
        alias.fred,
        alias.late,
        alias.twin,
        alias.quiet,
      ]);
      const twins = [alias.fred, alias.twin].sort();
      expect(ids((await get('/api/client/connections?sort=created,-id')).body)).toEqual([
        alias.quiet,
        twins[1],
        twins[0],
        alias.late,
      ]);
      expect(ids((await get('/api/client/connections?sort=created&sort=id')).body)).toEqual([
        alias.quiet,
        ...twins,
        alias.late,
      ]);
      const all = [alias.fred, alias.quiet, alias.late, alias.twin].sort();
      expect(ids((await get('/api/client/connections?sort=id')).body)).toEqual(all);
      expect(ids((await get('/api/client/connections?sort=-id')).body)).toEqual([...all].reverse());
    });

    it('pages with offset and limit, past the end too', async () => {
      const first = await get('/api/client/connections?sort=id&limit=3');
      const all = [alias.fred, alias.quiet, alias.late, alias.twin].sort();
      expect(ids(first.body)).toEqual(all.slice(0, 3));
      expect(first.body.paging).toEqual({ total: 4, more: true, next: 3 });
      const second = await get('/api/client/connections?sort=id&limit=3&offset=3');
      expect(ids(second.body)).toEqual(all.slice(3));
      expect(second.body.paging).toEqual({ total: 4, more: false, next: null });
      const past = await get('/api/client/connections?offset=100');
      expect(past.body).toEqual({ connections: [], paging: { total: 4, more: false, next: null } });
      expect((await get('/api/client/connections?limit=100')).status).toBe(200);
    });

    it('refuses bad options with a 400 naming the option', async () => {
      const cases: [string, RegExp][] = [
        ['limit=0', /limit/],
        ['limit=101', /limit/],
        ['limit=-1', /limit/],
        ['offset=-1', /offset/],
        ['offset=abc', /offset/],
        ['limit=1&limit=2', /limit/],
        ['sort=name', /^sort: name/],
        ['sort=created,-created', /^sort: created is given twice/],
        ['created_from=2020-02-30', /^created_from: /],
        ['updated_to=yesterday', /^updated_to: /],
        ['timeout=0', /timeout/],
        ['timeout=301', /timeout/],
        ['alias_id=', /^alias_id: empty value/],
        ['colour=red', /colour/],
      ];
      for (const [query, message] of cases) {
        const res = await get(`/api/client/connections?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error).toBe('invalid_request');
        expect(res.body.error_description).toMatch(message);
      }
    });

    it('fetches one connection, and 404s for an invisible, unknown or other client’s one', async () => {
      const res = await get(`/api/client/connections/${alias.fred}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        alias_id: alias.fred,
        client_id: a.id,
        nickname: 'Fred',
        create_dt: '2020-01-19T10:30:00+00:00',
      });
      for (const id of [alias.online, alias.revoked, alias.b, 'epGEcGfc6LQMmKTqffWW2g', 'x']) {
        const missing = await get(`/api/client/connections/${id}`);
        expect(missing.status).toBe(404);
        expect(missing.body).toEqual({ error: 'not_found', error_description: expect.stringContaining(id) });
      }
      expect((await get(`/api/client/connections/${alias.fred}?timeout=5`)).status).toBe(200);
      expect((await get(`/api/client/connections/${alias.fred}?limit=5`)).status).toBe(400);
    });

    it('hides channels without the contact scope and nicknames without the nickname scope', async () => {
      const bare = await requestToken(gateway.url, a, 'client:connections');
      const list = await get('/api/client/connections', bare);
      expect(list.status).toBe(200);
      for (const c of list.body.connections) expect(c).toMatchObject({ channels: null, nickname: null });
      expect((await get(`/api/client/connections/${alias.fred}`, bare)).body).toMatchObject({
        channels: null,
        nickname: null,
        scopes: expect.any(Array),
      });
      const contact = await requestToken(gateway.url, a, 'client:connections contact');
      expect((await get(`/api/client/connections/${alias.fred}`, contact)).body).toMatchObject({
        channels: ['_meta', 'notifications', 'product_updates'],
        nickname: null,
      });
      const nickname = await requestToken(gateway.url, a, 'client:connections nickname');
      expect((await get(`/api/client/connections/${alias.fred}`, nickname)).body).toMatchObject({
        channels: null,
        nickname: 'Fred',
      });
      // Filtering by channel would reveal them.
      const filtered = await get('/api/client/connections?channel=notifications', bare);
      expect(filtered.status).toBe(403);
      expect(filtered.body).toMatchObject({ error: 'insufficient_scope', scope: 'contact' });
    });
  });

  describe('outbound messages and deliveries', () => {
    it('lists outbound messages newest first; the seed’s example request and shape', async () => {
      const res = await get(
        '/api/client/outbound-messages?channel=notifications&created_from=2020-01-19T10:30:00Z',
      );
      expect(res.status).toBe(200);
      expect(ids(res.body, 'outbound_messages')).toEqual(['sending-message-1', OMID]);
      expect(res.body.outbound_messages[1]).toEqual({
        client_id: a.id,
        outbound_message_id: OMID,
        channel: 'notifications',
        recipient_count: 3,
        delivered_count: 1,
        failed_count: 1,
        status: 'sent',
        create_dt: '2020-06-30T13:30:00+00:00',
        update_dt: '2020-06-30T13:30:10+00:00',
      });
      expect(res.body.paging).toEqual({ total: 2, more: false, next: null });
    });

    it('filters outbound messages by status, sorts and pages them', async () => {
      expect(
        ids(
          (await get('/api/client/outbound-messages?status=pending,sending&sort=id')).body,
          'outbound_messages',
        ),
      ).toEqual(['pending-message-1', 'sending-message-1']);
      const page = await get('/api/client/outbound-messages?sort=created&limit=1&offset=1');
      expect(ids(page.body, 'outbound_messages')).toEqual(['pending-message-1']);
      expect(page.body.paging).toEqual({ total: 3, more: true, next: 2 });
      expect((await get('/api/client/outbound-messages?created_to=2020-06-30')).body.paging.total).toBe(1);
      const bad = await get('/api/client/outbound-messages?status=lost');
      expect(bad.status).toBe(400);
      expect(bad.body.error_description).toMatch(/^status: lost/);
    });

    it('fetches one outbound message, 404 when unknown', async () => {
      const res = await get(`/api/client/outbound-messages/${OMID}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        outbound_message_id: OMID,
        client_id: a.id,
        status: 'sent',
        recipient_count: 3,
      });
      const missing = await get('/api/client/outbound-messages/unknown-message-id');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('not_found');
    });

    it('lists deliveries; the seed’s example request, filters, sort and paging', async () => {
      const res = await get(
        `/api/client/outbound-messages/${OMID}/deliveries?channel=notifications&created_from=2020-01-19T10:30:00Z`,
      );
      expect(res.status).toBe(200);
      expect(res.body.paging).toEqual({ total: 3, more: false, next: null });
      expect(res.body.deliveries.map((d: { status: string }) => d.status)).toEqual([
        'delivering',
        'failed',
        'delivered',
      ]);
      expect(res.body.deliveries[2]).toEqual({
        client_id: a.id,
        outbound_message_id: OMID,
        alias_id: alias.fred,
        channel: 'notifications',
        status: 'delivered',
        create_dt: '2020-06-30T13:30:00+00:00',
        update_dt: '2020-06-30T13:30:10+00:00',
      });
      const failed = await get(
        `/api/client/outbound-messages/${OMID}/deliveries?status=failed,delivered&sort=created`,
      );
      expect(failed.body.deliveries.map((d: { status: string }) => d.status)).toEqual([
        'delivered',
        'failed',
      ]);
      const one = await get(`/api/client/outbound-messages/${OMID}/deliveries?alias_id=${alias.fred}`);
      expect(one.body.deliveries.map((d: { alias_id: string }) => d.alias_id)).toEqual([alias.fred]);
      const page = await get(`/api/client/outbound-messages/${OMID}/deliveries?limit=2&sort=-updated`);
      expect(page.body.paging).toEqual({ total: 3, more: true, next: 2 });
      expect(page.body.deliveries[0]?.alias_id).toBe(alias.fred);
      expect(
        (await get(`/api/client/outbound-messages/${OMID}/deliveries?channel=other`)).body.paging.total,
      ).toBe(0);
      expect((await get(`/api/client/outbound-messages/${OMID}/deliveries?status=sent`)).status).toBe(400);
      expect((await get('/api/client/outbound-messages/unknown-message-id/deliveries')).status).toBe(404);
    });

    it('fetches one delivery, 404 for an unknown message or recipient', async () => {
      const res = await get(`/api/client/outbound-messages/${OMID}/deliveries/${alias.fred}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        alias_id: alias.fred,
        status: 'delivered',
        outbound_message_id: OMID,
      });
      expect((await get(`/api/client/outbound-messages/${OMID}/deliveries/${alias.quiet}`)).status).toBe(404);
      expect(
        (await get(`/api/client/outbound-messages/unknown-message-id/deliveries/${alias.fred}`)).status,
      ).toBe(404);
    });
  });

  describe('scopes', () => {
    const routes: [string, string][] = [
      ['/api/client/connections', 'client:connections'],
      ['/api/client/connections/ALIAS', 'client:connections'],
      ['/api/client/outbound-messages', 'client:outbound_messages'],
      [`/api/client/outbound-messages/${OMID}`, 'client:outbound_messages'],
      [`/api/client/outbound-messages/${OMID}/deliveries`, 'client:outbound_messages'],
      [`/api/client/outbound-messages/${OMID}/deliveries/ALIAS`, 'contact'],
    ];

    it('each route answers 403 insufficient_scope naming its scope without it, and 200 with only it', async () => {
      const everythingBut = (scope: string) =>
        ['client:connections', 'client:send', 'client:outbound_messages', 'contact', 'nickname', 'channel:*']
          .filter((s) => s !== scope)
          .join(' ');
      for (const [template, scope] of routes) {
        const path = template.replace('ALIAS', alias.fred);
        const without = await get(path, await requestToken(gateway.url, a, everythingBut(scope)));
        expect(without.status, path).toBe(403);
        expect(without.body).toEqual({
          error: 'insufficient_scope',
          error_description: `this request requires the ${scope} scope`,
          scope,
        });
        expect(without.headers.get('www-authenticate')).toContain(`error="insufficient_scope"`);
        expect(without.headers.get('www-authenticate')).toContain(`scope="${scope}"`);
        const only = await get(path, await requestToken(gateway.url, a, scope));
        expect(only.status, path).toBe(200);
      }
    });

    it('send needs client:send and the channel', async () => {
      const message = {
        version: 'v0',
        channel: 'notifications',
        to: alias.fred,
        title: 'Here is your reminder',
      };
      const noSend = await send(message, await requestToken(gateway.url, a, 'client:connections channel:*'));
      expect(noSend.status).toBe(403);
      expect(noSend.body).toMatchObject({ error: 'insufficient_scope', scope: 'client:send' });
      const otherChannel = await send(
        message,
        await requestToken(gateway.url, a, 'client:send channel:product_updates'),
      );
      expect(otherChannel.status).toBe(403);
      expect(otherChannel.body).toMatchObject({
        error: 'insufficient_scope',
        scope: 'channel:notifications',
      });
    });
  });

  describe('send, before the core', () => {
    const valid = {
      version: 'v0',
      channel: 'notifications',
      to: 'epGEcGfc6LQMmKTqffWW2g',
      title: 'Here is your reminder',
    };

    it('refuses invalid bodies with a 400 naming the field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...valid, version: 'v1' }, /version/],
        [{ ...valid, version: undefined }, /version/],
        [{ ...valid, outbound_message_id: 'short' }, /outbound_message_id/],
        [{ ...valid, outbound_message_id: 'x'.repeat(31) }, /outbound_message_id/],
        [{ ...valid, outbound_message_id: 'has space in it' }, /outbound_message_id/],
        [{ ...valid, channel: undefined }, /channel/],
        [{ ...valid, to: undefined }, /to/],
        [{ ...valid, to: 'not-an-alias' }, /to/],
        [{ ...valid, title: 'Hey' }, /title/],
        [{ ...valid, title: 'x'.repeat(101) }, /title/],
        [{ ...valid, body: 'Hi' }, /body/],
        [{ ...valid, body: 'x'.repeat(501) }, /body/],
        [{ ...valid, link: { text: 'Open' } }, /uri/],
        [{ ...valid, link: { uri: 'not a uri' } }, /uri/],
        [{ ...valid, link: { uri: 'javascript:alert(1)' } }, /uri/],
        [{ ...valid, link: { uri: 'https://example.com', text: '' } }, /text/],
        [{ ...valid, link: { uri: 'https://example.com', text: 'x'.repeat(51) } }, /text/],
        [{ ...valid, colour: 'red' }, /colour/],
      ];
      for (const [body, field] of cases) {
        const res = await send(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error).toBe('invalid_request');
        expect(res.body.error_description).toMatch(field);
      }
    });

    it('answers 503 in the dialect’s format when no command handler is there, and stores nothing', async () => {
      const res = await send({ ...valid, outbound_message_id: 'no-core-here-1' });
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('temporarily_unavailable');
      const [row] =
        await sql`SELECT count(*)::int AS n FROM rm.alias_outbound_messages WHERE outbound_message_id = 'no-core-here-1'`;
      expect(row?.n).toBe(0);
    });
  });

  describe('tenant isolation', () => {
    it("shows another client's token none of this client's connections, messages or deliveries", async () => {
      const list = await get('/api/client/connections', other);
      expect(ids(list.body)).toEqual([alias.b]);
      for (const id of [alias.fred, alias.quiet, alias.late])
        expect((await get(`/api/client/connections/${id}`, other)).status).toBe(404);
      expect((await get(`/api/client/connections?alias_id=${alias.fred}`, other)).body.paging.total).toBe(0);

      const messages = await get('/api/client/outbound-messages', other);
      expect(messages.body.outbound_messages).toHaveLength(1);
      expect(messages.body.outbound_messages[0]).toMatchObject({ client_id: b.id, recipient_count: 1 });
      expect((await get('/api/client/outbound-messages/pending-message-1', other)).status).toBe(404);
      expect((await get('/api/client/outbound-messages/pending-message-1/deliveries', other)).status).toBe(
        404,
      );
      const theirs = await get(`/api/client/outbound-messages/${OMID}/deliveries`, other);
      expect(theirs.body.deliveries.map((d: { alias_id: string }) => d.alias_id)).toEqual([alias.b]);
      expect(
        (await get(`/api/client/outbound-messages/${OMID}/deliveries/${alias.fred}`, other)).status,
      ).toBe(404);
      expect((await get(`/api/client/outbound-messages/${OMID}`, other)).body.client_id).toBe(b.id);
    });
  });

  describe('timeout', () => {
    it('gives up after `timeout` seconds with a 504 in the dialect’s format, and the database stops too', async () => {
      const locker = postgres(db.url, { max: 1, onnotice: () => {} });
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const locked = new Promise<void>((ready) => {
        void locker.begin(async (tx) => {
          await tx`LOCK TABLE rm.alias_outbound_messages IN ACCESS EXCLUSIVE MODE`;
          ready();
          await held;
        });
      });
      try {
        await locked;
        for (const path of [
          '/api/client/outbound-messages?timeout=1',
          `/api/client/outbound-messages/${OMID}/deliveries?timeout=1`,
        ]) {
          const res = await get(path);
          expect(res.status).toBe(504);
          expect(res.body).toEqual({ error: 'timeout', error_description: expect.stringContaining('1 s') });
        }
        const waiting = await sql`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE query LIKE '%rm.alias_outbound_messages%' AND wait_event_type = 'Lock'`;
        expect(waiting[0]?.n).toBe(0);
      } finally {
        release();
        await locker.end();
      }
      expect((await get('/api/client/outbound-messages?timeout=1')).status).toBe(200);
    });
  });

  it('answers unknown routes under /api/client in the dialect’s format', async () => {
    const res = await get('/api/client/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});
