import { aliasIdOf } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { SERVICES, TestSystem } from './system.js';

// The Alias client API over the whole stack: connections granted through /api/v1, tokens from
// /oauth2/token, every example request of the seed (../shared/seeds/alias-client-api.txt) with its
// example response's shape, scopes, paging and sort, and one client never seeing another's data.

interface Client {
  id: string;
  token: string;
}
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

const EXAMPLE_ID = 'LzIX47-iIDVpNmnbXqCYXg';
const EXAMPLE_MESSAGE = {
  version: 'v0',
  outbound_message_id: EXAMPLE_ID,
  channel: 'notifications',
  title: 'Here is your reminder',
  body: 'You asked to be reminded about this note.',
  link: { uri: 'https://example.com/notes/z7I6s3jljh5RUoUYmqxxPw', text: 'Open your note' },
};
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const ALL_SCOPES = ['openid', 'offline_access', 'contact', 'nickname'];

describe('Alias client API', () => {
  let system: TestSystem;
  let url: string;
  let a: Client;
  let b: Client;
  let tokenA: string;
  let tokenB: string;
  /** Client A's users by name: their alias ids. */
  const users: Record<string, { userId: string; aliasId: string }> = {};

  const api = (method: string, path: string, accessToken: string, body?: unknown) =>
    http<Answer>(url, method, path, { headers: { authorization: `Bearer ${accessToken}` }, body });
  const get = (path: string, accessToken = tokenA) => api('GET', path, accessToken);
  const send = (body: unknown, accessToken = tokenA) => api('POST', '/api/client/send', accessToken, body);

  const newClient = async (): Promise<Client> => {
    const res = await http<Client>(url, 'POST', '/api/v1/sync', { body: {} });
    expect(res.status).toBe(200);
    return res.body;
  };
  const accessToken = async (client: Client, scope?: string) => {
    const res = await http<Answer>(url, 'POST', '/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.token, scope },
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  /** A user of the client with a connection granted through /api/v1, as the Alias UI would grant it. */
  const connect = async (
    client: Client,
    grant: { scopes?: string[]; channels: string[]; nickname?: string },
  ): Promise<{ userId: string; aliasId: string }> => {
    const user = await http<{ id: string }>(url, 'POST', '/api/v1/users', {
      headers: clientHeaders(client.id, client.token),
    });
    expect(user.status).toBe(201);
    const granted = await http(url, 'PUT', `/api/v1/users/${user.body.id}/connection`, {
      headers: clientHeaders(client.id, client.token),
      body: { scopes: grant.scopes ?? ALL_SCOPES, channels: grant.channels, nickname: grant.nickname },
    });
    expect(granted.status).toBeLessThan(300);
    return { userId: user.body.id, aliasId: aliasIdOf(user.body.id) };
  };
  const revokeChannels = async (client: Client, userId: string, channels: string[]) => {
    const res = await http(url, 'PUT', `/api/v1/users/${userId}/connection`, {
      headers: clientHeaders(client.id, client.token),
      body: { scopes: ALL_SCOPES, channels },
    });
    expect(res.status).toBeLessThan(300);
  };
  /** The outbound message once it is `sent`. */
  const sent = (id: string, token = tokenA) =>
    eventually(async () => {
      const res = await get(`/api/client/outbound-messages/${id}`, token);
      return res.status === 200 && res.body.status === 'sent' ? res.body : undefined;
    }, 30_000);

  beforeAll(async () => {
    // The broadcaster resolves recipients and creates the deliveries of each outbound message.
    system = await TestSystem.start({ services: [...SERVICES, 'broadcaster'] });
    url = system.gatewayUrl;
    a = await newClient();
    b = await newClient();
    users.fred = await connect(a, {
      channels: ['_meta', 'notifications', 'product_updates'],
      nickname: 'Fred',
    });
    users.ann = await connect(a, { channels: ['_meta', 'notifications'], nickname: 'Ann' });
    users.bob = await connect(a, { channels: ['product_updates'] });
    users.online = await connect(a, { scopes: ['openid', 'contact'], channels: ['notifications'] });
    users.other = await connect(b, { channels: ['notifications'], nickname: 'Other' });
    tokenA = await accessToken(a);
    tokenB = await accessToken(b);
  });
  afterAll(async () => {
    await system?.stop();
  });

  describe('the seed’s examples', () => {
    it('GET /api/client/connections?channel=notifications&created_from=2020-01-19T10:00:00Z', async () => {
      const res = await get(
        '/api/client/connections?channel=notifications&created_from=2020-01-19T10:00:00Z',
      );
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['connections', 'paging']);
      expect(res.body.paging).toEqual({ total: 2, more: false, next: null });
      expect(res.body.connections.map((c) => c.alias_id)).toEqual([users.ann!.aliasId, users.fred!.aliasId]);
      const fred = res.body.connections[1];
      expect(fred).toEqual({
        client_id: a.id,
        alias_id: users.fred!.aliasId,
        scopes: ALL_SCOPES,
        channels: ['_meta', 'notifications', 'product_updates'],
        nickname: 'Fred',
        create_dt: expect.stringMatching(DATE_TIME),
        update_dt: expect.stringMatching(DATE_TIME),
      });
      expect(Object.keys(fred ?? {})).toEqual([
        'client_id',
        'alias_id',
        'scopes',
        'channels',
        'nickname',
        'create_dt',
        'update_dt',
      ]);
    });

    it('GET /api/client/connections/<alias_id>', async () => {
      const res = await get(`/api/client/connections/${users.fred!.aliasId}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        client_id: a.id,
        alias_id: users.fred!.aliasId,
        scopes: ALL_SCOPES,
        channels: ['_meta', 'notifications', 'product_updates'],
        nickname: 'Fred',
        create_dt: expect.stringMatching(DATE_TIME),
        update_dt: expect.stringMatching(DATE_TIME),
      });
    });

    it('POST /api/client/send, then the outbound message, its deliveries and one delivery', async () => {
      const res = await send({ ...EXAMPLE_MESSAGE, to: users.fred!.aliasId });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ outbound_message_id: EXAMPLE_ID });

      const message = await sent(EXAMPLE_ID);
      const expected = {
        client_id: a.id,
        outbound_message_id: EXAMPLE_ID,
        channel: 'notifications',
        recipient_count: 1,
        delivered_count: 1,
        failed_count: 0,
        status: 'sent',
        create_dt: expect.stringMatching(DATE_TIME),
        update_dt: expect.stringMatching(DATE_TIME),
      };
      expect(message).toEqual(expected);
      expect(Object.keys(message)).toEqual(Object.keys(expected));

      const list = await get(
        '/api/client/outbound-messages?channel=notifications&created_from=2020-01-19T10:30:00Z',
      );
      expect(list.status).toBe(200);
      expect(Object.keys(list.body)).toEqual(['outbound_messages', 'paging']);
      expect(list.body.outbound_messages).toEqual([expected]);
      expect(list.body.paging).toEqual({ total: 1, more: false, next: null });

      const delivery = {
        client_id: a.id,
        outbound_message_id: EXAMPLE_ID,
        alias_id: users.fred!.aliasId,
        channel: 'notifications',
        status: 'delivered',
        create_dt: expect.stringMatching(DATE_TIME),
        update_dt: expect.stringMatching(DATE_TIME),
      };
      const deliveries = await get(
        `/api/client/outbound-messages/${EXAMPLE_ID}/deliveries?channel=notifications&created_from=2020-01-19T10:30:00Z`,
      );
      expect(deliveries.status).toBe(200);
      expect(Object.keys(deliveries.body)).toEqual(['deliveries', 'paging']);
      expect(deliveries.body).toEqual({
        deliveries: [delivery],
        paging: { total: 1, more: false, next: null },
      });

      const one = await get(`/api/client/outbound-messages/${EXAMPLE_ID}/deliveries/${users.fred!.aliasId}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(delivery);
      expect(Object.keys(one.body)).toEqual(Object.keys(delivery));
    });
  });

  describe('send', () => {
    it('answers a repeat with the same id and content with the same id, and other content with 409', async () => {
      const message = { ...EXAMPLE_MESSAGE, outbound_message_id: 'repeat-me-123', to: users.ann!.aliasId };
      expect(await send(message)).toEqual({ status: 200, body: { outbound_message_id: 'repeat-me-123' } });
      expect(await send(message)).toEqual({ status: 200, body: { outbound_message_id: 'repeat-me-123' } });
      const changed = await send({ ...message, title: 'Another title' });
      expect(changed.status).toBe(409);
      expect(changed.body.error).toBe('conflict');
      const message2 = await sent('repeat-me-123');
      expect(message2.recipient_count).toBe(1);
    });

    it('generates a 22-character id when none is given', async () => {
      const res = await send({
        version: 'v0',
        channel: 'notifications',
        to: users.ann!.aliasId,
        title: 'No id given',
      });
      expect(res.status).toBe(200);
      expect(res.body.outbound_message_id).toMatch(/^[0-9A-Za-z_-]{22}$/);
      expect((await sent(res.body.outbound_message_id)).delivered_count).toBe(1);
    });

    it('sends to * : every connection subscribed to the channel, and no one else', async () => {
      const res = await send({
        version: 'v0',
        outbound_message_id: 'to-everyone-1',
        channel: 'product_updates',
        to: '*',
        title: 'For every subscriber',
      });
      expect(res.status).toBe(200);
      const message = await sent('to-everyone-1');
      expect(message).toMatchObject({
        recipient_count: 2,
        delivered_count: 2,
        failed_count: 0,
        channel: 'product_updates',
      });
      const deliveries = await get('/api/client/outbound-messages/to-everyone-1/deliveries?sort=id');
      expect(deliveries.body.deliveries.map((d) => d.alias_id)).toEqual(
        [users.fred!.aliasId, users.bob!.aliasId].sort(),
      );
      // The online-only user (no offline_access) and other clients' users are never recipients.
      expect(deliveries.body.paging.total).toBe(2);
    });

    it('fails the delivery to a user who is not connected', async () => {
      const res = await send({
        version: 'v0',
        outbound_message_id: 'to-nobody-123',
        channel: 'notifications',
        to: users.online!.aliasId,
        title: 'Not for you',
      });
      expect(res.status).toBe(200);
      const message = await sent('to-nobody-123');
      expect(message).toMatchObject({ recipient_count: 1, delivered_count: 0, failed_count: 1 });
      const delivery = await get(
        `/api/client/outbound-messages/to-nobody-123/deliveries/${users.online!.aliasId}`,
      );
      expect(delivery.body.status).toBe('failed');
    });
  });

  describe('connections', () => {
    it('shows only offline_access connections', async () => {
      const res = await get('/api/client/connections?limit=100');
      const ids = res.body.connections.map((c) => c.alias_id);
      expect(ids).not.toContain(users.online!.aliasId);
      expect((await get(`/api/client/connections/${users.online!.aliasId}`)).status).toBe(404);
    });

    it('shows channels only with contact and nicknames only with nickname', async () => {
      const bare = await accessToken(a, 'client:connections');
      const res = await get(`/api/client/connections/${users.fred!.aliasId}`, bare);
      expect(res.body).toMatchObject({ channels: null, nickname: null, scopes: ALL_SCOPES });
    });

    it('follows a connection update: a revoked channel leaves the channel filter', async () => {
      const carl = await connect(a, { channels: ['weekly'], nickname: 'Carl' });
      expect((await get('/api/client/connections?channel=weekly')).body.paging.total).toBe(1);
      await revokeChannels(a, carl.userId, ['_meta']);
      const after = await eventually(async () => {
        const res = await get('/api/client/connections?channel=weekly');
        return res.body.paging.total === 0 ? res : undefined;
      });
      expect(after.body.connections).toEqual([]);
      const detail = await get(`/api/client/connections/${carl.aliasId}`);
      expect(detail.body.channels).toEqual(['_meta']);
      expect(detail.body.update_dt >= detail.body.create_dt).toBe(true);
    });
    it('hides a revoked connection, and sends nothing to it through *', async () => {
      const dora = await connect(a, { channels: ['daily'], nickname: 'Dora' });
      expect((await get(`/api/client/connections/${dora.aliasId}`)).status).toBe(200);
      const revoked = await http(url, 'DELETE', `/api/v1/users/${dora.userId}/connection`, {
        headers: clientHeaders(a.id, a.token),
      });
      expect(revoked.status).toBeLessThan(300);
      expect((await get(`/api/client/connections/${dora.aliasId}`)).status).toBe(404);
      expect((await get('/api/client/connections?channel=daily')).body.paging.total).toBe(0);
      const res = await send({
        version: 'v0',
        outbound_message_id: 'daily-digest-1',
        channel: 'daily',
        to: '*',
        title: 'Daily digest',
      });
      expect(res.status).toBe(200);
      expect(await sent('daily-digest-1')).toMatchObject({
        recipient_count: 0,
        delivered_count: 0,
        failed_count: 0,
      });
    });
  });

  describe('paging and sort', () => {
    it('walks every connection page by page with next, without overlap', async () => {
      const all = (await get('/api/client/connections?limit=100&sort=id')).body;
      const seen: string[] = [];
      let next: number | null = 0;
      while (next !== null) {
        const page: Answer = (await get(`/api/client/connections?limit=2&sort=id&offset=${next}`)).body;
        expect(page.connections.length).toBeLessThanOrEqual(2);
        seen.push(...page.connections.map((c) => c.alias_id));
        expect(page.paging.total).toBe(all.paging.total);
        next = page.paging.next;
        expect(page.paging.more).toBe(next !== null);
      }
      expect(seen).toEqual(all.connections.map((c) => c.alias_id));
      expect([...seen].sort()).toEqual(seen);
    });

    it('answers an offset past the end with an empty page and the total', async () => {
      const total = (await get('/api/client/connections')).body.paging.total;
      expect((await get('/api/client/connections?offset=1000')).body).toEqual({
        connections: [],
        paging: { total, more: false, next: null },
      });
    });

    it('refuses limit 0, over 100, negative values and unknown sort keys', async () => {
      for (const query of [
        'limit=0',
        'limit=101',
        'limit=-5',
        'offset=-1',
        'sort=name',
        'sort=created,-created',
        'created_from=2020-13-01',
      ]) {
        for (const path of [
          '/api/client/connections',
          '/api/client/outbound-messages',
          `/api/client/outbound-messages/${EXAMPLE_ID}/deliveries`,
        ]) {
          const res = await get(`${path}?${query}`);
          expect(res.status, `${path}?${query}`).toBe(400);
          expect(res.body.error).toBe('invalid_request');
        }
      }
    });

    it('sorts by created, updated and id, ascending and descending', async () => {
      const list = async (sort: string) =>
        (await get(`/api/client/connections?limit=100&sort=${sort}`)).body.connections as Item[];
      const byCreated = await list('created');
      for (let i = 1; i < byCreated.length; i++)
        expect(byCreated[i]!.create_dt >= byCreated[i - 1]!.create_dt).toBe(true);
      const byUpdatedDesc = await list('-updated');
      for (let i = 1; i < byUpdatedDesc.length; i++)
        expect(byUpdatedDesc[i]!.update_dt <= byUpdatedDesc[i - 1]!.update_dt).toBe(true);
      const defaultOrder = (await get('/api/client/connections?limit=100')).body.connections as Item[];
      expect(defaultOrder.map((c) => c.alias_id)).toEqual(
        (await list('-created,-id')).map((c) => c.alias_id),
      );
      expect(defaultOrder[0]!.create_dt >= defaultOrder[defaultOrder.length - 1]!.create_dt).toBe(true);
      const messages = (await get('/api/client/outbound-messages?sort=id&limit=100')).body
        .outbound_messages as Item[];
      const ids = messages.map((m) => m.outbound_message_id);
      expect(ids).toEqual([...ids].sort());
    });
  });

  describe('scopes', () => {
    const routes = (): [string, string, string][] => [
      ['GET', '/api/client/connections', 'client:connections'],
      ['GET', `/api/client/connections/${users.fred!.aliasId}`, 'client:connections'],
      ['POST', '/api/client/send', 'client:send'],
      ['GET', '/api/client/outbound-messages', 'client:outbound_messages'],
      ['GET', `/api/client/outbound-messages/${EXAMPLE_ID}`, 'client:outbound_messages'],
      ['GET', `/api/client/outbound-messages/${EXAMPLE_ID}/deliveries`, 'client:outbound_messages'],
      ['GET', `/api/client/outbound-messages/${EXAMPLE_ID}/deliveries/${users.fred!.aliasId}`, 'contact'],
    ];
    const body = {
      version: 'v0',
      channel: 'notifications',
      to: '*',
      title: 'Scope check',
      outbound_message_id: 'scope-check-1',
    };

    it('each route: 403 insufficient_scope naming its scope without it, allowed with it', async () => {
      const everything = [
        'client:connections',
        'client:send',
        'client:outbound_messages',
        'contact',
        'nickname',
        'channel:*',
      ];
      for (const [method, path, scope] of routes()) {
        const without = await accessToken(a, everything.filter((s) => s !== scope).join(' '));
        const denied = await api(method, path, without, method === 'POST' ? body : undefined);
        expect(denied.status, path).toBe(403);
        expect(denied.body).toEqual({
          error: 'insufficient_scope',
          error_description: expect.any(String),
          scope,
        });
        const only = await accessToken(a, method === 'POST' ? `${scope} channel:notifications` : scope);
        const allowed = await api(method, path, only, method === 'POST' ? body : undefined);
        expect(allowed.status, path).toBe(200);
      }
    });

    it('send needs the message’s channel in the token', async () => {
      const token = await accessToken(a, 'client:send channel:product_updates');
      const res = await send({ ...body, outbound_message_id: 'wrong-channel-1' }, token);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'insufficient_scope', scope: 'channel:notifications' });
      expect((await get('/api/client/outbound-messages/wrong-channel-1')).status).toBe(404);
    });

    it('401 without a token or with a bad one', async () => {
      const res = await http<Answer>(url, 'GET', '/api/client/connections');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
      expect((await get('/api/client/connections', `${tokenA}x`)).status).toBe(401);
    });
  });

  describe('tenant isolation', () => {
    it("never shows one client's connections, messages or deliveries to another", async () => {
      const own = await get('/api/client/connections', tokenB);
      expect(own.body.connections.map((c) => c.alias_id)).toEqual([users.other!.aliasId]);
      for (const user of [users.fred!, users.ann!]) {
        expect((await get(`/api/client/connections/${user.aliasId}`, tokenB)).status).toBe(404);
        expect(
          (await get(`/api/client/connections?alias_id=${user.aliasId}`, tokenB)).body.paging.total,
        ).toBe(0);
      }
      expect((await get('/api/client/outbound-messages', tokenB)).body.paging.total).toBe(0);
      expect((await get(`/api/client/outbound-messages/${EXAMPLE_ID}`, tokenB)).status).toBe(404);
      expect((await get(`/api/client/outbound-messages/${EXAMPLE_ID}/deliveries`, tokenB)).status).toBe(404);
      expect(
        (await get(`/api/client/outbound-messages/${EXAMPLE_ID}/deliveries/${users.fred!.aliasId}`, tokenB))
          .status,
      ).toBe(404);
    });

    it("cannot reach another client's user, and may reuse another client's outbound message id", async () => {
      const res = await send({ ...EXAMPLE_MESSAGE, to: users.fred!.aliasId, title: 'Not my user' }, tokenB);
      expect(res).toEqual({ status: 200, body: { outbound_message_id: EXAMPLE_ID } });
      const message = await sent(EXAMPLE_ID, tokenB);
      expect(message).toMatchObject({
        client_id: b.id,
        recipient_count: 1,
        delivered_count: 0,
        failed_count: 1,
      });
      // Client A's message of that id is untouched.
      expect((await get(`/api/client/outbound-messages/${EXAMPLE_ID}`)).body).toMatchObject({
        client_id: a.id,
        delivered_count: 1,
      });
    });

    it("B's '*' reaches only B's subscribers", async () => {
      expect(
        (
          await send(
            {
              version: 'v0',
              outbound_message_id: 'b-to-everyone',
              channel: 'notifications',
              to: '*',
              title: 'Hello all of B',
            },
            tokenB,
          )
        ).status,
      ).toBe(200);
      const message = await sent('b-to-everyone', tokenB);
      expect(message).toMatchObject({ recipient_count: 1, delivered_count: 1 });
      const deliveries = await get('/api/client/outbound-messages/b-to-everyone/deliveries', tokenB);
      expect(deliveries.body.deliveries.map((d) => d.alias_id)).toEqual([users.other!.aliasId]);
    });
  });
});
