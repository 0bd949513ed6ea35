import { randomUUID } from 'node:crypto';
import { deliveryIdOf, type Endpoint, eventUpcasters } from '@switchboard/contracts';
import { createEventStore, type RecordedEvent } from '@switchboard/event-store';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChannels } from '../queries/clients.js';
import { findDeliveryByProviderMessageId, listMessageDeliveries } from '../queries/deliveries.js';
import { migrateReadModels } from '../schema.js';
import { projectBatch } from './project-batch.js';
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

async function project(...batches: RecordedEvent[][]): Promise<void> {
  for (const batch of batches) await sql.begin((tx) => projectBatch(tx, batch));
}

const endpoint = (sender: string): Endpoint => ({
  channel: { name: 'telegram', version: '1.0.0' },
  identity: '*',
  sender,
  thread: sender,
});

/** A client with Telegram configured, and the facts of one message's delivery to `sender`. */
function scene(sender = '42') {
  const { record } = recorder();
  const clientId = randomUUID();
  const messageId = randomUUID();
  const conversationId = randomUUID();
  const to = endpoint(sender);
  const deliveryId = deliveryIdOf(messageId, to);
  const facts = { deliveryId, clientId, messageId, conversationId, channel: 'telegram' };
  const setup = [
    record('ClientCreated', { clientId, tokenHash: tokenHash('d') }),
    record('ChannelConfigured', {
      clientId,
      channel: 'telegram',
      enabled: true,
      sealedConfig: sealed('tg'),
      fingerprint: 'hmac-0123456789abcdef',
    }),
  ];
  return { record, clientId, messageId, deliveryId, facts, to, setup };
}

describe('deliveries', () => {
  it('given a requested delivery, when it is sent then delivered, then its row follows and the channel is healthy', async () => {
    const { record, clientId, messageId, facts, to, setup } = scene();
    await project(setup, [record('DeliveryRequested', { ...facts, endpoint: to })]);
    expect((await listMessageDeliveries(sql, clientId, [messageId])).get(messageId)).toMatchObject([
      { status: 'queued', endpoint: to, providerMessageId: null, providerMessageIds: [] },
    ]);

    await project([
      record(
        'DeliverySent',
        { ...facts, providerMessageIds: ['42:7'] },
        { created: '2026-03-01T10:00:00.000Z' },
      ),
      record('DeliveryDelivered', facts, { created: '2026-03-01T10:00:05.000Z' }),
    ]);
    const found = await findDeliveryByProviderMessageId(sql, clientId, 'telegram', '42:7');
    expect(found).toMatchObject({ messageId, status: 'delivered', providerMessageId: '42:7', reason: null });
    const [channel] = await listChannels(sql, clientId);
    expect(channel).toMatchObject({ lastSuccessAt: new Date('2026-03-01T10:00:05.000Z'), lastError: null });
  });

  it('given two deliveries in one batch, when one fails, then it keeps the provider’s reason and the channel shows the error', async () => {
    const { record, clientId, messageId, facts, to, setup } = scene();
    const other = { ...facts, deliveryId: deliveryIdOf(messageId, endpoint('43')) };
    await project(setup, [
      record('DeliveryRequested', { ...facts, endpoint: to }),
      record('DeliveryRequested', { ...other, endpoint: endpoint('43') }),
      record('DeliverySent', { ...other, providerMessageIds: ['43:1'] }),
      record(
        'DeliveryFailed',
        { ...facts, reason: 'Bad Request: chat not found', retryable: false },
        { created: '2026-04-01T00:00:00.000Z' },
      ),
    ]);
    const rows = (await listMessageDeliveries(sql, clientId, [messageId])).get(messageId) ?? [];
    expect(rows.map((r) => [r.endpoint.sender, r.status, r.reason, r.retryable]).sort()).toEqual([
      ['42', 'failed', 'Bad Request: chat not found', false],
      ['43', 'sent', null, null],
    ]);
    const [channel] = await listChannels(sql, clientId);
    expect(channel).toMatchObject({
      lastError: 'Bad Request: chat not found',
      lastErrorAt: new Date('2026-04-01T00:00:00.000Z'),
    });
  });

  it('never shows one tenant another’s deliveries, and applies a repeated request once', async () => {
    const { record, clientId, messageId, facts, to, setup } = scene();
    const requested = record('DeliveryRequested', { ...facts, endpoint: to });
    await project(setup, [requested], [requested]);
    expect((await listMessageDeliveries(sql, clientId, [messageId])).get(messageId)).toHaveLength(1);
    expect((await listMessageDeliveries(sql, randomUUID(), [messageId])).size).toBe(0);
    await project([record('DeliverySent', { ...facts, providerMessageIds: ['p-1'] })]);
    expect(await findDeliveryByProviderMessageId(sql, randomUUID(), 'telegram', 'p-1')).toBeNull();
  });

  it('given a message the provider took in several requests, when a callback names any of its ids, then it finds the one delivery', async () => {
    const { record, clientId, messageId, facts, to, setup } = scene('44');
    await project(setup, [
      record('DeliveryRequested', { ...facts, endpoint: to }),
      record('DeliverySent', { ...facts, providerMessageIds: ['44:1', '44:2', '44:3'] }),
    ]);
    for (const id of ['44:1', '44:2', '44:3']) {
      expect(await findDeliveryByProviderMessageId(sql, clientId, 'telegram', id), id).toMatchObject({
        messageId,
        status: 'sent',
        providerMessageId: '44:1',
        providerMessageIds: ['44:1', '44:2', '44:3'],
      });
    }
    expect(await findDeliveryByProviderMessageId(sql, clientId, 'telegram', '44:4')).toBeNull();
    expect(await findDeliveryByProviderMessageId(sql, clientId, 'slack', '44:2')).toBeNull();
    // A later status keeps the ids.
    await project([record('DeliveryDelivered', facts)]);
    expect(await findDeliveryByProviderMessageId(sql, clientId, 'telegram', '44:3')).toMatchObject({
      status: 'delivered',
      providerMessageIds: ['44:1', '44:2', '44:3'],
    });
  });

  it('given a DeliverySent stored at version 1, when read through the store with the upcasters, then its one id is found', async () => {
    const { clientId, messageId, deliveryId, facts, to, setup } = scene('45');
    const store = createEventStore({ sql, upcasters: eventUpcasters });
    const stream = `delivery-${deliveryId}`;
    await store.appendToStream(stream, [
      { type: 'DeliveryRequested', data: { ...facts, endpoint: to }, metadata: { schemaVersion: 1 } },
      // The shape connectors recorded before deliveries kept every id.
      { type: 'DeliverySent', data: { ...facts, providerMessageId: '45:1' }, metadata: { schemaVersion: 1 } },
    ]);
    const read = await store.readStream(stream);
    expect(read[1]?.data).toEqual({ ...facts, providerMessageIds: ['45:1'] });
    await project(setup, read);
    expect(await findDeliveryByProviderMessageId(sql, clientId, 'telegram', '45:1')).toMatchObject({
      messageId,
      status: 'sent',
      providerMessageIds: ['45:1'],
    });
  });
});
