import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient, listChannels, listWebhooks } from '../queries/clients.js';
import {
  findConversation,
  findMessage,
  findUser,
  listConversationEndpoints,
  listConversationMessages,
  listUserConversations,
} from '../queries/conversations.js';
import { migrateReadModels } from '../schema.js';
import { projectBatch } from './project-batch.js';
import { UnprojectableEventError } from './recorded-runs.js';
import { recorder, sealed, tokenHash } from './testing/recorded.js';

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

/** Each argument is one batch, applied in its own transaction, in order. */
async function project(...batches: RecordedEvent[][]): Promise<void> {
  for (const batch of batches) await sql.begin((tx) => projectBatch(tx, batch));
}

const at = (iso: string) => new Date(iso);

describe('clients', () => {
  it('given a client, when it is renamed and its token rotated, then the row has the latest of both', async () => {
    const { record } = recorder();
    const clientId = randomUUID();
    await project([record('ClientCreated', { clientId, name: 'Acme', tokenHash: tokenHash('a') })]);

    await project([
      record('ClientRenamed', { clientId, name: 'Acme Inc' }),
      record(
        'ClientTokenRotated',
        { clientId, tokenHash: tokenHash('b') },
        { created: '2026-02-01T10:00:00.000Z' },
      ),
    ]);

    expect(await findClient(sql, clientId)).toEqual({
      id: clientId,
      name: 'Acme Inc',
      tokenHash: tokenHash('b'),
    });
    const [row] = await sql`SELECT created_at, updated_at FROM rm.clients WHERE id = ${clientId}`;
    expect(row?.created_at).toEqual(at('2026-01-01T00:00:01.000Z'));
    expect(row?.updated_at).toEqual(at('2026-02-01T10:00:00.000Z'));
  });

  it('given a configuration, when a sync diff removes and changes some of it, then only what it keeps remains', async () => {
    const { record } = recorder();
    const clientId = randomUUID();
    const [hookA, hookB, hookC] = [randomUUID(), randomUUID(), randomUUID()];
    const configured = (channel: string, label: string, enabled = true) =>
      record('ChannelConfigured', {
        clientId,
        channel,
        enabled,
        sealedConfig: sealed(label),
        fingerprint: `hmac-${label.padEnd(16, '0')}`,
      });
    await project([
      record('ClientCreated', { clientId, tokenHash: tokenHash('c') }),
      configured('telegram', 'tg1'),
      configured('slack', 'sl1'),
      record('WebhookAdded', {
        clientId,
        webhookId: hookA,
        url: 'https://a.example/hook',
        sealedToken: sealed('ta'),
      }),
      record('WebhookAdded', {
        clientId,
        webhookId: hookB,
        url: 'https://b.example/hook',
        sealedToken: sealed('tb'),
      }),
    ]);

    // removals first, as the decider emits them
    await project([
      record('ChannelRemoved', { clientId, channel: 'slack' }),
      record('WebhookRemoved', { clientId, webhookId: hookA, url: 'https://a.example/hook' }),
      configured('telegram', 'tg2', false),
      record('WebhookAdded', {
        clientId,
        webhookId: hookC,
        url: 'https://a.example/hook',
        sealedToken: sealed('tc'),
      }),
    ]);

    expect((await listChannels(sql, clientId)).map((c) => [c.channel, c.enabled])).toEqual([
      ['telegram', false],
    ]);
    const [channel] = await sql`SELECT config_sealed FROM rm.client_channels WHERE client_id = ${clientId}`;
    expect(channel?.config_sealed).toBe(sealed('tg2'));
    expect(await listWebhooks(sql, clientId)).toEqual([
      { id: hookB, url: 'https://b.example/hook', tokenSealed: sealed('tb') },
      { id: hookC, url: 'https://a.example/hook', tokenSealed: sealed('tc') },
    ]);
  });

  it('when one batch configures a channel several times, then the last configuration wins', async () => {
    const { record } = recorder();
    const clientId = randomUUID();
    const configured = (label: string, enabled: boolean) =>
      record('ChannelConfigured', {
        clientId,
        channel: 'twilio',
        enabled,
        sealedConfig: sealed(label),
        fingerprint: `hmac-${label.padEnd(16, '0')}`,
      });

    await project([
      record('ClientCreated', { clientId, tokenHash: tokenHash('d') }),
      configured('one', true),
      configured('two', false),
      configured('three', true),
    ]);

    const rows =
      await sql`SELECT enabled, config_sealed FROM rm.client_channels WHERE client_id = ${clientId}`;
    expect(rows).toEqual([{ enabled: true, config_sealed: sealed('three') }]);
  });
});

describe('users', () => {
  it('given a created user, then its client finds it and another client does not', async () => {
    const { record } = recorder();
    const [clientId, userId] = [randomUUID(), randomUUID()];

    await project([record('UserCreated', { userId, clientId, externalIds: { email: 'a@b.c' } })]);

    expect(await findUser(sql, clientId, userId)).toEqual({
      id: userId,
      clientId,
      createdAt: at('2026-01-01T00:00:01.000Z'),
    });
    expect(await findUser(sql, randomUUID(), userId)).toBeNull();
  });
});

describe('conversations', () => {
  it('given conversations, then a user lists them by latest activity: creation, then its latest message', async () => {
    const { record } = recorder();
    const [clientId, userId] = [randomUUID(), randomUUID()];
    const [c1, c2, c3] = [randomUUID(), randomUUID(), randomUUID()];
    const started = (conversationId: string) =>
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' });
    await project([record('UserCreated', { userId, clientId }), started(c1), started(c2), started(c3)]);
    const list = async (limit = 10) =>
      (await listUserConversations(sql, clientId, userId, limit)).map((c) => c.id);
    expect(await list()).toEqual([c3, c2, c1]);

    await project([
      posted(record, { conversationId: c1, clientId, sequence: 1, sentOn: '2026-03-01T00:00:00.000Z' }),
    ]);
    expect(await list()).toEqual([c1, c3, c2]);

    await project([
      posted(record, { conversationId: c2, clientId, sequence: 1, sentOn: '2026-03-02T00:00:00.000Z' }),
    ]);
    expect(await list()).toEqual([c2, c1, c3]);
    expect(await list(2)).toEqual([c2, c1]);
    expect(await listUserConversations(sql, randomUUID(), userId, 10)).toEqual([]);
  });

  it("takes the activity of the conversation's latest message even when an earlier one says later", async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    await project([record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' })]);

    await project([
      posted(record, { conversationId, clientId, sequence: 1, sentOn: '2026-05-01T00:00:02.000Z' }),
      posted(record, { conversationId, clientId, sequence: 2, sentOn: '2026-05-01T00:00:01.000Z' }),
    ]);

    const [row] =
      await sql`SELECT last_sequence, last_activity_at FROM rm.conversations WHERE id = ${conversationId}`;
    expect(row).toEqual({ last_sequence: '2', last_activity_at: at('2026-05-01T00:00:01.000Z') });
  });

  it('given a conversation, when it is archived, then it is flagged and still found', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    await project([record('ConversationStarted', { conversationId, clientId, userId, kind: 'group' })]);

    await project([record('ConversationArchived', { conversationId, clientId })]);

    expect((await findConversation(sql, clientId, conversationId))?.userId).toBe(userId);
    const [row] = await sql`SELECT archived FROM rm.conversations WHERE id = ${conversationId}`;
    expect(row?.archived).toBe(true);
  });
});

describe('messages', () => {
  it('given a conversation, when messages are posted, then each is stored as posted, unknown types flagged', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    const [m1, m2] = [randomUUID(), randomUUID()];
    await project([record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' })]);

    await project([
      record('MessagePosted', {
        messageId: m1,
        conversationId,
        clientId,
        sequence: 1,
        authorId: userId,
        authorKind: 'user',
        payload: { type: 'text', text: 'hello', extra: { kept: true } },
        payloadType: 'text',
        payloadKnown: true,
        source: 'api',
        collect: true,
        sentOn: '2026-04-01T12:00:00.123Z',
      }),
      record('MessagePosted', {
        messageId: m2,
        conversationId,
        clientId,
        sequence: 2,
        authorId: null,
        authorKind: 'bot',
        payload: { type: 'my-widget', size: 3 },
        payloadType: 'my-widget',
        payloadKnown: false,
        source: 'api',
        incomingId: m1,
        collect: false,
        sentOn: '2026-04-01T12:00:01.000Z',
      }),
    ]);

    expect(await findMessage(sql, clientId, m1)).toEqual({
      id: m1,
      conversationId,
      clientId,
      sequence: '1',
      authorId: userId,
      payload: { type: 'text', text: 'hello', extra: { kept: true } },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      incomingId: null,
      collect: true,
      sentOn: at('2026-04-01T12:00:00.123Z'),
    });
    expect(await findMessage(sql, clientId, m2)).toMatchObject({
      authorId: null,
      payload: { type: 'my-widget', size: 3 },
      payloadType: 'my-widget',
      payloadKnown: false,
      incomingId: m1,
      collect: false,
    });
    expect(await findMessage(sql, randomUUID(), m1)).toBeNull();
    const [row] = await sql`SELECT last_sequence FROM rm.conversations WHERE id = ${conversationId}`;
    expect(row?.last_sequence).toBe('2');
  });

  it('given messages, when one is removed twice, then it is gone once and nothing else changes', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    const messages = [1, 2, 3].map((sequence) => posted(record, { conversationId, clientId, sequence }));
    await project([
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
      ...messages,
    ]);
    const second = messages[1]!.data as { messageId: string };
    const removed = () =>
      record('MessageRemoved', { messageId: second.messageId, conversationId, clientId, sequence: 2 });

    // twice in one batch, then again in a later batch (a removal emitted again after the decider forgot it)
    await project([removed(), removed()], [removed()]);

    expect(await sequencesOf(clientId, conversationId)).toEqual(['3', '1']);
  });

  it('given messages, when they are cleared, then every message up to the sequence goes and later ones stay', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId, other] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    await project([
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
      record('ConversationStarted', { conversationId: other, clientId, userId, kind: 'direct' }),
      ...[1, 2, 3].map((sequence) => posted(record, { conversationId, clientId, sequence })),
      posted(record, { conversationId: other, clientId, sequence: 1 }),
    ]);

    await project(
      [record('MessagesCleared', { conversationId, clientId, upToSequence: 3, count: 3 })],
      [posted(record, { conversationId, clientId, sequence: 4 })],
    );

    expect(await sequencesOf(clientId, conversationId)).toEqual(['4']);
    expect(await sequencesOf(clientId, other)).toEqual(['1']);
    const [row] = await sql`SELECT last_sequence FROM rm.conversations WHERE id = ${conversationId}`;
    expect(row?.last_sequence).toBe('4');
  });

  it('applies posts, removals and clears of one batch in their order', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    const first = posted(record, { conversationId, clientId, sequence: 1 });
    const firstId = (first.data as { messageId: string }).messageId;

    await project([
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
      first,
      posted(record, { conversationId, clientId, sequence: 2 }),
      record('MessageRemoved', { messageId: firstId, conversationId, clientId, sequence: 1 }),
      posted(record, { conversationId, clientId, sequence: 3 }),
      record('MessagesCleared', { conversationId, clientId, upToSequence: 3, count: 2 }),
      posted(record, { conversationId, clientId, sequence: 4 }),
      posted(record, { conversationId, clientId, sequence: 5 }),
    ]);

    expect(await sequencesOf(clientId, conversationId)).toEqual(['5', '4']);
  });
});

describe('endpoints', () => {
  it('given a conversation started on an endpoint, when another is linked, then both are listed for its client', async () => {
    const { record } = recorder();
    const [clientId, userId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
    const endpoint = (thread: string) => ({
      channel: { name: 'telegram', version: '1.0.0' },
      identity: 'bot-1',
      sender: 'person-7',
      thread,
    });
    await project([
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
      record('EndpointLinked', { conversationId, clientId, endpoint: endpoint('t-1') }),
    ]);

    await project([record('EndpointLinked', { conversationId, clientId, endpoint: endpoint('t-2') })]);

    const common = {
      channelName: 'telegram',
      channelVersion: '1.0.0',
      identity: 'bot-1',
      sender: 'person-7',
    };
    expect(await listConversationEndpoints(sql, clientId, conversationId)).toEqual([
      { ...common, thread: 't-1' },
      { ...common, thread: 't-2' },
    ]);
    expect(await listConversationEndpoints(sql, randomUUID(), conversationId)).toEqual([]);
  });
});

describe('a batch', () => {
  it('skips events of types the catalogue does not know and applies the rest', async () => {
    const { record, foreign } = recorder();
    const [clientId, userId] = [randomUUID(), randomUUID()];

    await project([
      foreign('DeliveryAttempted', { anything: 1 }),
      record('UserCreated', { userId, clientId }),
      foreign('UserCreatedV9', { userId }, `user-${randomUUID()}`),
    ]);

    expect(await findUser(sql, clientId, userId)).not.toBeNull();
  });

  it('refuses a known event whose data does not fit, naming it, and its transaction keeps nothing', async () => {
    const { record } = recorder();
    const [clientId, userId] = [randomUUID(), randomUUID()];
    const broken = record('UserCreated', { userId: 'not-a-uuid', clientId });

    const attempt = project([record('UserCreated', { userId, clientId }), broken]);

    await expect(attempt).rejects.toThrow(UnprojectableEventError);
    await expect(attempt).rejects.toThrow(broken.id);
    expect(await findUser(sql, clientId, userId)).toBeNull();
  });
});

type Recorder = ReturnType<typeof recorder>['record'];

/** A text message from the bot; `sentOn` defaults to a time derived from the sequence. */
function posted(
  record: Recorder,
  m: { conversationId: string; clientId: string; sequence: number; sentOn?: string },
): RecordedEvent {
  return record('MessagePosted', {
    messageId: randomUUID(),
    conversationId: m.conversationId,
    clientId: m.clientId,
    sequence: m.sequence,
    authorId: null,
    authorKind: 'bot',
    payload: { type: 'text', text: `message ${m.sequence}` },
    payloadType: 'text',
    payloadKnown: true,
    source: 'api',
    collect: false,
    sentOn: m.sentOn ?? new Date(Date.parse('2026-06-01T00:00:00.000Z') + m.sequence * 1000).toISOString(),
  });
}

async function sequencesOf(clientId: string, conversationId: string): Promise<string[]> {
  return (await listConversationMessages(sql, clientId, conversationId, 100)).map((m) => m.sequence);
}
