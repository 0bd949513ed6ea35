import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectBatch } from '../projections/project-batch.js';
import { recorder } from '../projections/testing/recorded.js';
import { migrateReadModels } from '../schema.js';
import { latestBotMessage } from './channel-traffic.js';
import { listConversationMessages } from './conversations.js';

let db: TestDatabase;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  await migrateReadModels(sql);
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

it('given twelve messages, then newest first means by number, not by text (12 before 9)', async () => {
  const { record } = recorder();
  const clientId = randomUUID();
  const conversationId = randomUUID();
  const userId = randomUUID();
  const posted = (sequence: number) =>
    record('MessagePosted', {
      messageId: randomUUID(),
      conversationId,
      clientId,
      sequence,
      authorId: sequence === 12 ? userId : null,
      authorKind: sequence === 12 ? 'user' : 'bot',
      payload: { type: 'text', text: `m${sequence}` },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      collect: false,
      sentOn: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    });
  await sql.begin((tx) =>
    projectBatch(tx, [
      record('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
      ...Array.from({ length: 12 }, (_, i) => posted(i + 1)),
    ]),
  );
  const list = await listConversationMessages(sql, clientId, conversationId, 3);
  expect(list.map((m) => m.sequence)).toEqual(['12', '11', '10']);
  expect((await latestBotMessage(sql, clientId, conversationId))?.payload).toEqual({
    type: 'text',
    text: 'm11',
  });
});
