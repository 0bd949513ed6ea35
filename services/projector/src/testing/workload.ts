import { randomUUID } from 'node:crypto';
import type { EventOfType, EventType } from '@switchboard/contracts';
import { comparePositions, type EventStore, type Position } from '@switchboard/event-store';
import { coreProjection, readCheckpoint } from '@switchboard/read-models';
import type postgres from 'postgres';

type Event = { [Type in EventType]: { type: Type; data: EventOfType<Type>['data'] } }[EventType];

const sealed = (label: string) => `v1.${label}.tag.${Buffer.from(label).toString('base64url')}`;
const fingerprint = (label: string) => `hmac-${label.padEnd(16, '0')}`;

export function botMessage(conversationId: string, clientId: string, sequence: number, sentOn: Date): Event {
  return {
    type: 'MessagePosted',
    data: {
      messageId: randomUUID(),
      conversationId,
      clientId,
      sequence,
      authorId: null,
      authorKind: 'bot',
      payload: { type: 'text', text: `message ${sequence}` },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      collect: false,
      sentOn: sentOn.toISOString(),
    },
  };
}

/**
 * Every kind of event the core projection handles, across two tenants: clients with a sync diff, users,
 * conversations mapped from endpoints, messages (known and unknown payloads, replies), a removal repeated,
 * a clear, an archive, and events of another category. Returns the ids it made.
 */
export async function appendMixedWorkload(store: EventStore, seed = 0) {
  const clientIds: string[] = [];
  let last: Position = { commit: 0n, prepare: 0n };
  const append = async (stream: string, events: Event[]) => {
    last = (await store.appendToStream(stream, events)).position;
  };
  const conversationIds: string[] = [];
  let clock = Date.parse('2026-07-01T00:00:00.000Z') + seed * 3_600_000;
  const tick = () => {
    clock += 1000;
    return new Date(clock);
  };
  for (let c = 0; c < 2; c++) {
    const clientId = randomUUID();
    clientIds.push(clientId);
    const [hookA, hookB, hookC] = [randomUUID(), randomUUID(), randomUUID()];
    await append(`client-${clientId}`, [
      { type: 'ClientCreated', data: { clientId, name: `client ${c}`, tokenHash: 'a'.repeat(64) } },
      {
        type: 'ChannelConfigured',
        data: {
          clientId,
          channel: 'telegram',
          enabled: true,
          sealedConfig: sealed('t1'),
          fingerprint: fingerprint('t1'),
        },
      },
      {
        type: 'ChannelConfigured',
        data: {
          clientId,
          channel: 'slack',
          enabled: true,
          sealedConfig: sealed('s1'),
          fingerprint: fingerprint('s1'),
        },
      },
      {
        type: 'WebhookAdded',
        data: { clientId, webhookId: hookA, url: 'https://a.example/h', sealedToken: sealed('a') },
      },
      {
        type: 'WebhookAdded',
        data: { clientId, webhookId: hookB, url: 'https://b.example/h', sealedToken: sealed('b') },
      },
    ]);
    await append(`client-${clientId}`, [
      { type: 'ChannelRemoved', data: { clientId, channel: 'slack' } },
      { type: 'WebhookRemoved', data: { clientId, webhookId: hookA, url: 'https://a.example/h' } },
      {
        type: 'ChannelConfigured',
        data: {
          clientId,
          channel: 'telegram',
          enabled: false,
          sealedConfig: sealed('t2'),
          fingerprint: fingerprint('t2'),
        },
      },
      {
        type: 'WebhookAdded',
        data: { clientId, webhookId: hookC, url: 'https://c.example/h', sealedToken: sealed('c') },
      },
    ]);
    await append(`client-${clientId}`, [
      { type: 'ClientRenamed', data: { clientId, name: `client ${c} renamed` } },
      { type: 'ClientTokenRotated', data: { clientId, tokenHash: 'b'.repeat(64) } },
    ]);
    for (let u = 0; u < 2; u++) {
      const userId = randomUUID();
      await append(`user-${userId}`, [{ type: 'UserCreated', data: { userId, clientId } }]);
      for (let k = 0; k < 2; k++) {
        const conversationId = randomUUID();
        conversationIds.push(conversationId);
        const endpoint = {
          channel: { name: 'telegram', version: '1.0.0' },
          identity: 'bot',
          sender: `person-${u}`,
          thread: `thread-${k}`,
        };
        await append(`conversation-${conversationId}`, [
          { type: 'ConversationStarted', data: { conversationId, clientId, userId, kind: 'direct' } },
          { type: 'EndpointLinked', data: { conversationId, clientId, endpoint } },
        ]);
        const posted: Event[] = [];
        for (let sequence = 1; sequence <= 6; sequence++) {
          const message = botMessage(conversationId, clientId, sequence, tick());
          if (sequence === 2 && message.type === 'MessagePosted') {
            message.data = {
              ...message.data,
              authorId: userId,
              authorKind: 'user',
              source: 'channel',
              endpoint,
              payload: { type: 'my-card', x: 1 },
              payloadType: 'my-card',
              payloadKnown: false,
              collect: true,
            };
          }
          posted.push(message);
        }
        await append(`conversation-${conversationId}`, posted);
        const third = posted[2]?.data as { messageId: string };
        const removed: Event = {
          type: 'MessageRemoved',
          data: { messageId: third.messageId, conversationId, clientId, sequence: 3 },
        };
        await append(`conversation-${conversationId}`, [removed, removed]);
        if (k === 1) {
          await append(`conversation-${conversationId}`, [
            { type: 'MessagesCleared', data: { conversationId, clientId, upToSequence: 4, count: 3 } },
            botMessage(conversationId, clientId, 7, tick()),
            { type: 'ConversationArchived', data: { conversationId, clientId } },
          ]);
        }
      }
    }
  }
  // an event of another category, which the projection skips
  const delivery = [{ type: 'DeliveryAttempted', data: { attempt: 1 } }];
  last = (await store.appendToStream(`delivery-${randomUUID()}`, delivery)).position;
  return { clientIds, conversationIds, last };
}

/** Every row of the projection's tables, as text, in a stable order: equal dumps mean equal read models. */
export async function dumpReadModels(sql: postgres.Sql): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of coreProjection.tables) {
    const rows = await sql.unsafe<{ row: string }[]>(
      `SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`,
    );
    dump[table] = rows.map((r) => r.row);
  }
  return dump;
}

export const atOrAfter = (a: Position | null, b: Position) => a !== null && comparePositions(a, b) >= 0;

/** Polls until the `core` checkpoint has reached `position`. */
export async function waitForCheckpoint(
  sql: postgres.Sql,
  position: Position,
  timeoutMs = 20_000,
): Promise<void> {
  await until(
    async () => atOrAfter(await readCheckpoint(sql, coreProjection.name), position),
    timeoutMs,
    'catch-up',
  );
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
