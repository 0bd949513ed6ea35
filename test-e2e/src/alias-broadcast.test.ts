import { aliasIdOf, broadcastIdOf } from '@switchboard/contracts';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';

// The broadcast core over the whole stack: connections granted through /api/v1, a broadcast to every
// subscriber of a topic sent through the Alias dialect (/api/client/send), and the `broadcaster`
// service started only after some subscribers withdrew the topic: they were subscribers when the
// message was sent, so they get a delivery record, and it fails because their connection no longer
// grants the topic when the delivery is made.

interface Client {
  id: string;
  token: string;
}
interface Connection {
  userId: string;
  aliasId: string;
  clientId: string;
  scopes: string[];
  channels: string[];
  nickname: string | null;
  revoked: boolean;
  updatedOn: string;
}
interface Outbound {
  outbound_message_id: string;
  status: string;
  recipient_count: number;
  delivered_count: number;
  failed_count: number;
}
interface Deliveries {
  deliveries: { alias_id: string; status: string }[];
  paging: { total: number };
}

const SUBSCRIBERS = 1_000;
const WITHDRAWN = 10;
const SCOPES = ['openid', 'offline_access', 'contact', 'nickname'];

/**
 * Starts a service and waits for it to be ready, beyond TestSystem's 30 s when the machine is busy
 * (tsx compiles each service at start): a slow start is not what this test is about.
 */
async function startPatiently(system: TestSystem, name: string): Promise<void> {
  try {
    await system.startService(name);
  } catch (error) {
    const running = system.running.get(name);
    if (!running || running.child.exitCode !== null || !String(error).includes('not ready')) throw error;
    await eventually(async () => {
      const res = await fetch(`${running.healthUrl}/readyz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, 180_000);
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe('a broadcast to 1,000 subscribers, 10 of whom withdraw the topic before delivery', () => {
  let system: TestSystem;
  let url: string;
  let client: Client;
  let accessToken: string;
  const users: string[] = [];

  const v1 = <T>(method: string, path: string, body?: unknown, as: Client = client) =>
    http<T>(url, method, `/api/v1${path}`, { headers: clientHeaders(as.id, as.token), body });
  const alias = <T>(method: string, path: string, body?: unknown) =>
    http<T>(url, method, path, { headers: { authorization: `Bearer ${accessToken}` }, body });

  beforeAll(async () => {
    // No broadcaster yet: the broadcast waits, pending, until it starts.
    system = await TestSystem.start({ services: [] });
    for (const name of ['command-handler', 'relay', 'projector', 'gateway'])
      await startPatiently(system, name);
    url = system.gatewayUrl;
    client = (await http<Client>(url, 'POST', '/api/v1/sync', { body: {} })).body;
    const ids = Array.from({ length: SUBSCRIBERS }, (_, i) => i);
    await inParallel(ids, 16, async () => {
      const user = await v1<{ id: string }>('POST', '/users');
      expect(user.status).toBe(201);
      const granted = await v1<Connection>('PUT', `/users/${user.body.id}/connection`, {
        scopes: SCOPES,
        channels: ['_meta', 'notifications'],
        nickname: 'Subscriber',
      });
      expect(granted.status).toBe(200);
      users.push(user.body.id);
    });
    const token = await http<{ access_token: string }>(url, 'POST', '/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.token },
    });
    expect(token.status).toBe(200);
    accessToken = token.body.access_token;
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('delivers to 990, fails 10 with channel_revoked, and ends sent with those counts', {
    timeout: 300_000,
  }, async () => {
    const message = {
      version: 'v0',
      outbound_message_id: 'all-subscribers-0001',
      channel: 'notifications',
      to: '*',
      title: 'Our terms are changing',
      body: 'Read what changes on the first of next month.',
      link: { uri: 'https://example.com/terms', text: 'Read the terms' },
    };
    const sent = await alias<{ outbound_message_id: string }>('POST', '/api/client/send', message);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ outbound_message_id: 'all-subscribers-0001' });
    // The same request again is the same outbound message; other content under its id is a conflict.
    expect(await alias('POST', '/api/client/send', message)).toEqual(sent);
    expect((await alias('POST', '/api/client/send', { ...message, title: 'Another title' })).status).toBe(
      409,
    );

    const pending = await alias<Outbound>('GET', '/api/client/outbound-messages/all-subscribers-0001');
    expect(pending.body).toMatchObject({ status: 'pending', recipient_count: 0, delivered_count: 0 });

    // After the request, before the fan-out runs: ten subscribers withdraw the topic.
    const withdrawing = users.slice(0, WITHDRAWN);
    for (const userId of withdrawing) {
      const res = await v1<Connection>('PUT', `/users/${userId}/connection`, {
        scopes: SCOPES,
        channels: ['_meta'],
        nickname: 'Subscriber',
      });
      expect(res.body.channels).toEqual(['_meta']);
    }

    await startPatiently(system, 'broadcaster');
    const done = await eventually(async () => {
      const res = await alias<Outbound>('GET', '/api/client/outbound-messages/all-subscribers-0001');
      return res.body.status === 'sent' ? res.body : undefined;
    }, 240_000);
    expect(done).toMatchObject({
      status: 'sent',
      recipient_count: SUBSCRIBERS,
      delivered_count: SUBSCRIBERS - WITHDRAWN,
      failed_count: WITHDRAWN,
    });

    const failed = await alias<Deliveries>(
      'GET',
      '/api/client/outbound-messages/all-subscribers-0001/deliveries?status=failed&limit=100',
    );
    expect(failed.body.paging.total).toBe(WITHDRAWN);
    expect(failed.body.deliveries.map((d) => d.alias_id).sort()).toEqual(withdrawing.map(aliasIdOf).sort());

    // Core facts behind the dialect: one recipient stream per subscriber with one outcome each, the
    // failures' reason, and an inbox item for every delivery.
    const sql = postgres(system.db.url, { max: 1, onnotice: () => {} });
    try {
      const broadcastId = broadcastIdOf(client.id, 'all-subscribers-0001');
      const [streams] = await sql`
        SELECT count(DISTINCT stream_name)::int AS recipients, count(*)::int AS events
        FROM es.events WHERE stream_name LIKE ${`recipient-${broadcastId}-%`}`;
      expect(streams).toEqual({ recipients: SUBSCRIBERS, events: 2 * SUBSCRIBERS });
      const reasons = await sql`
        SELECT reason, count(*)::int AS n FROM rm.alias_deliveries WHERE broadcast_id = ${broadcastId}
        GROUP BY reason ORDER BY reason NULLS FIRST`;
      expect(reasons).toEqual([
        { reason: null, n: SUBSCRIBERS - WITHDRAWN },
        { reason: 'channel_revoked', n: WITHDRAWN },
      ]);
      const [inbox] =
        await sql`SELECT count(*)::int AS n FROM rm.inbox_items WHERE broadcast_id = ${broadcastId}`;
      expect(inbox).toEqual({ n: SUBSCRIBERS - WITHDRAWN });
    } finally {
      await sql.end();
    }
  });

  it('manages connections through /api/v1: read, revoke, and nothing of another client’s', async () => {
    const userId = users[WITHDRAWN]!;
    const read = await v1<Connection>('GET', `/users/${userId}/connection`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      userId,
      clientId: client.id,
      aliasId: aliasIdOf(userId),
      scopes: SCOPES,
      channels: ['_meta', 'notifications'],
      nickname: 'Subscriber',
      revoked: false,
    });
    const revoked = await v1<Connection>('DELETE', `/users/${userId}/connection`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBe(true);
    // Revoking again changes nothing.
    expect((await v1<Connection>('DELETE', `/users/${userId}/connection`)).body.updatedOn).toBe(
      revoked.body.updatedOn,
    );

    const bad = await v1<{ message: string }>('PUT', `/users/${userId}/connection`, {
      scopes: ['has space'],
      channels: [],
    });
    expect(bad.status).toBe(400);

    const other = (await http<Client>(url, 'POST', '/api/v1/sync', { body: {} })).body;
    for (const method of ['GET', 'DELETE']) {
      expect((await v1(method, `/users/${userId}/connection`, undefined, other)).status).toBe(404);
    }
    expect(
      (await v1('PUT', `/users/${userId}/connection`, { scopes: SCOPES, channels: ['notifications'] }, other))
        .status,
    ).toBe(404);
    const nobody = await v1('PUT', `/users/${crypto.randomUUID()}/connection`, {
      scopes: SCOPES,
      channels: [],
    });
    expect(nobody.status).toBe(404);
  });
});
