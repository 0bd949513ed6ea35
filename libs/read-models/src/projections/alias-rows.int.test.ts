import { randomUUID } from 'node:crypto';
import { aliasIdOf, broadcastContentHash, broadcastIdOf, type EventOfType } from '@switchboard/contracts';
import type { RecordedEvent } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAliasConnection, listInboxItems, topicSubscribersAt } from '../queries/broadcasts.js';
import { migrateReadModels } from '../schema.js';
import { projectBatch } from './project-batch.js';
import { recorder } from './testing/recorded.js';

let db: TestDatabase;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 4, onnotice: () => {} });
  await migrateReadModels(sql);
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

async function project(...batches: RecordedEvent[][]): Promise<void> {
  for (const batch of batches) await sql.begin((tx) => projectBatch(tx, batch));
}

const { record } = recorder();
type Terms = { scopes: string[]; channels: string[]; nickname: string | null };
const terms: Terms = {
  scopes: ['openid', 'offline_access', 'contact', 'nickname'],
  channels: ['_meta', 'notifications', 'product_updates'],
  nickname: 'Fred',
};
const t = (minute: number) => new Date(Date.UTC(2026, 0, 19, 10, minute)).toISOString();
const grant = (clientId: string, userId: string, at: string, over: Partial<Terms> = {}) =>
  record('ConnectionGranted', { userId, clientId, ...terms, ...over, at });
const update = (clientId: string, userId: string, at: string, over: Partial<Terms> = {}) =>
  record('ConnectionUpdated', { userId, clientId, ...terms, ...over, at });
const revoke = (clientId: string, userId: string, at: string) =>
  record('ConnectionRevoked', { userId, clientId, at });

describe('connections', () => {
  it('given a grant, an update and a revoke, then the row follows and keeps its first creation time', async () => {
    const clientId = randomUUID();
    const userId = randomUUID();
    await project([grant(clientId, userId, t(30))]);
    expect(await findAliasConnection(sql, clientId, userId)).toEqual({
      clientId,
      aliasId: aliasIdOf(userId),
      userId,
      ...terms,
      offline: true,
      revoked: false,
      createdAt: new Date(t(30)),
      updatedAt: new Date(t(30)),
    });
    await project([update(clientId, userId, t(31), { scopes: ['openid'], nickname: null })]);
    expect(await findAliasConnection(sql, clientId, userId)).toMatchObject({
      scopes: ['openid'],
      nickname: null,
      offline: false,
      createdAt: new Date(t(30)),
      updatedAt: new Date(t(31)),
    });
    await project([revoke(clientId, userId, t(32))]);
    expect(await findAliasConnection(sql, clientId, userId)).toMatchObject({
      revoked: true,
      updatedAt: new Date(t(32)),
    });
    await project([grant(clientId, userId, t(33))]);
    expect(await findAliasConnection(sql, clientId, userId)).toMatchObject({
      revoked: false,
      offline: true,
      createdAt: new Date(t(30)),
      updatedAt: new Date(t(33)),
    });
    expect(await findAliasConnection(sql, randomUUID(), userId)).toBeNull();
  });

  it('resolves a topic’s subscribers as they were at a given time, whatever happened since', async () => {
    const clientId = randomUUID();
    const [always, revokedLater, channelDropped, offlineDropped, grantedLater, otherTopic] = Array.from(
      { length: 6 },
      () => randomUUID(),
    );
    // One batch holding a user twice: applied in order.
    await project([
      grant(clientId, always!, t(0)),
      grant(clientId, revokedLater!, t(0)),
      grant(clientId, channelDropped!, t(0)),
      grant(clientId, offlineDropped!, t(0)),
      grant(clientId, otherTopic!, t(0), { channels: ['product_updates'] }),
      update(clientId, channelDropped!, t(5), { channels: ['_meta'] }),
      update(clientId, channelDropped!, t(6), { channels: ['_meta', 'notifications'] }),
    ]);
    await project([
      revoke(clientId, revokedLater!, t(20)),
      update(clientId, offlineDropped!, t(20), { scopes: ['openid'] }),
      grant(clientId, grantedLater!, t(20)),
    ]);
    const at = (time: string) =>
      topicSubscribersAt(sql, { clientId, channel: 'notifications', at: time, after: null, limit: 100 });
    const sorted = (...ids: (string | undefined)[]) => (ids as string[]).sort();
    expect(await at(t(1))).toEqual(sorted(always, revokedLater, channelDropped, offlineDropped));
    expect(await at(t(5))).toEqual(sorted(always, revokedLater, offlineDropped));
    expect(await at(t(10))).toEqual(sorted(always, revokedLater, channelDropped, offlineDropped));
    expect(await at(t(20))).toEqual(sorted(always, channelDropped, grantedLater));
    expect(
      await topicSubscribersAt(sql, {
        clientId,
        channel: 'product_updates',
        at: t(30),
        after: null,
        limit: 100,
      }),
    ).toEqual(sorted(always, channelDropped, grantedLater, otherTopic).filter((id) => id !== channelDropped));
    // Pages follow user id order.
    const all = await at(t(10));
    const first = await topicSubscribersAt(sql, {
      clientId,
      channel: 'notifications',
      at: t(10),
      after: null,
      limit: 2,
    });
    const rest = await topicSubscribersAt(sql, {
      clientId,
      channel: 'notifications',
      at: t(10),
      after: first[1]!,
      limit: 100,
    });
    expect([...first, ...rest]).toEqual(all);
    expect(
      await topicSubscribersAt(sql, {
        clientId: randomUUID(),
        channel: 'notifications',
        at: t(10),
        after: null,
        limit: 100,
      }),
    ).toEqual([]);
  });
});

describe('outbound messages and deliveries', () => {
  it('count recipients and outcomes as they happen, and leave an inbox item for each delivery', async () => {
    const clientId = randomUUID();
    const outboundMessageId = 'LzIX47-iIDVpNmnbXqCYXg';
    const broadcastId = broadcastIdOf(clientId, outboundMessageId);
    const content = {
      title: 'Here is your reminder',
      body: 'You asked for it.',
      link: { uri: 'https://e.x/n', text: 'Open' },
    };
    const audience = { kind: 'topic' as const };
    const users = [randomUUID(), randomUUID(), randomUUID()].sort();
    const facts = (userId: string) => ({
      broadcastId,
      clientId,
      userId,
      outboundMessageId,
      channel: 'notifications',
    });
    const requested: EventOfType<'BroadcastRequested'>['data'] = {
      broadcastId,
      clientId,
      outboundMessageId,
      channel: 'notifications',
      audience,
      content,
      contentHash: broadcastContentHash({ channel: 'notifications', audience, content }),
      requestedAt: '2025-12-31T23:00:00.000Z',
    };
    const outbound = async () => {
      const [row] = await sql`
        SELECT status, recipient_count, delivered_count, failed_count, created_at, updated_at
        FROM rm.alias_outbound_messages WHERE broadcast_id = ${broadcastId}`;
      return row;
    };
    await project([record('BroadcastRequested', requested)]);
    expect(await outbound()).toMatchObject({
      status: 'pending',
      recipient_count: 0,
      created_at: new Date('2025-12-31T23:00:00.000Z'),
    });

    await project([
      record('RecipientsResolved', { broadcastId, clientId, batch: 0, userIds: users.slice(0, 2) }),
      ...users.slice(0, 2).map((u) => record('RecipientDeliveryStarted', facts(u))),
      record('RecipientsResolved', { broadcastId, clientId, batch: 1, userIds: users.slice(2) }),
      record('RecipientDeliveryStarted', facts(users[2]!)),
    ]);
    expect(await outbound()).toMatchObject({ status: 'pending', recipient_count: 3, delivered_count: 0 });
    await project([record('BroadcastDispatched', { broadcastId, clientId, recipientCount: 3 })]);
    expect(await outbound()).toMatchObject({ status: 'sending', recipient_count: 3 });

    await project([
      record('RecipientDelivered', facts(users[0]!)),
      record('RecipientFailed', { ...facts(users[1]!), reason: 'channel_revoked' }),
      record('RecipientsSettled', { broadcastId, clientId, batch: 0, delivered: 1, failed: 1 }),
    ]);
    expect(await outbound()).toMatchObject({ status: 'sending', delivered_count: 1, failed_count: 1 });
    await project([
      record('RecipientDelivered', facts(users[2]!)),
      record('RecipientsSettled', { broadcastId, clientId, batch: 1, delivered: 1, failed: 0 }),
      record('BroadcastCompleted', { broadcastId, clientId, delivered: 2, failed: 1 }),
    ]);
    const done = await outbound();
    expect(done).toMatchObject({ status: 'sent', recipient_count: 3, delivered_count: 2, failed_count: 1 });
    expect((done!.updated_at as Date).getTime()).toBeGreaterThan((done!.created_at as Date).getTime());

    const deliveries = await sql`
      SELECT alias_id, status, reason FROM rm.alias_deliveries WHERE broadcast_id = ${broadcastId} ORDER BY user_id`;
    expect(deliveries).toEqual([
      { alias_id: aliasIdOf(users[0]!), status: 'delivered', reason: null },
      { alias_id: aliasIdOf(users[1]!), status: 'failed', reason: 'channel_revoked' },
      { alias_id: aliasIdOf(users[2]!), status: 'delivered', reason: null },
    ]);
    expect(await listInboxItems(sql, clientId, users[0]!)).toMatchObject([
      {
        broadcastId,
        channel: 'notifications',
        title: content.title,
        body: content.body,
        linkUri: 'https://e.x/n',
        linkText: 'Open',
      },
    ]);
    expect(await listInboxItems(sql, clientId, users[1]!)).toEqual([]);
  });
});
