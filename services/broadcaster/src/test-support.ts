import { randomUUID } from 'node:crypto';
import {
  type BroadcastAudience,
  type BroadcastEvent,
  broadcastContentHash,
  broadcastIdOf,
  type DomainEvent,
  eventUpcasters,
  streams,
} from '@switchboard/contracts';
import { broadcastDecider } from '@switchboard/domain';
import {
  comparePositions,
  connectEventStore,
  createEventStore,
  type EventStore,
  migrate,
  type Position,
} from '@switchboard/event-store';
import {
  commitBatch,
  coreProjection,
  ensureCheckpoint,
  migrateReadModels,
  startOfAll,
} from '@switchboard/read-models';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';

export interface Scene {
  db: TestDatabase;
  sql: postgres.Sql;
  store: EventStore;
  close(): Promise<void>;
}

/** A fresh database with the event store and read models (migrated here when the run has no template). */
export async function scene(): Promise<Scene> {
  const db = await createTestDatabase();
  await migrate(db.url);
  const sql = connectEventStore(db.url, { max: 12 });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  await migrateReadModels(sql);
  return {
    db,
    sql,
    store,
    async close() {
      await store.close();
      await sql.end();
      await db.drop();
    },
  };
}

/**
 * Runs the core projection, as the projector would, until it has applied the last event written. `$all`
 * shows an event only once no older transaction is still running anywhere in the cluster (other tests'
 * included), so an empty read is not the end: the last written event is.
 */
export async function catchUp(sql: postgres.Sql, store: EventStore): Promise<Position> {
  const [last] = await sql<{ commit: string; prepare: string }[]>`
    SELECT transaction_id::text AS commit, global_position::text AS prepare FROM es.events
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;
  const target: Position = last ? { commit: BigInt(last.commit), prepare: BigInt(last.prepare) } : startOfAll;
  let after = await ensureCheckpoint(sql, coreProjection.name);
  let stalledSince = Date.now();
  while (comparePositions(after, target) < 0) {
    if (Date.now() - stalledSince > 30_000) throw new Error('the projection made no progress for 30 s');
    const events = await store.readAll({ fromPosition: after, maxCount: 2000 });
    if (events.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    } else {
      after = await commitBatch(sql, coreProjection, after, events);
      stalledSince = Date.now();
    }
  }
  return after;
}

export const fullTerms = {
  scopes: ['openid', 'offline_access', 'contact'],
  channels: ['_meta', 'notifications'],
  nickname: null,
};

const data = (event: DomainEvent) => ({ type: event.type, data: event.data, metadata: { tenant: 'test' } });

/** `count` users of the client, each connected with `terms` (in appends of 250 streams). */
export async function connectedUsers(
  store: EventStore,
  clientId: string,
  count: number,
  terms: { scopes: string[]; channels: string[]; nickname: string | null } = fullTerms,
  at = new Date(Date.now() - 60_000).toISOString(),
): Promise<string[]> {
  const users = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < users.length; i += 250) {
    const chunk = users.slice(i, i + 250);
    // Creations, then grants: runs of one event type, which the projection applies in one statement.
    await store.appendToStreams(
      chunk.map((userId) => ({
        stream: streams.user(userId),
        expectedState: 'no_stream' as const,
        events: [data({ type: 'UserCreated', data: { userId, clientId } })],
      })),
    );
    await store.appendToStreams(
      chunk.map((userId) => ({
        stream: streams.user(userId),
        expectedState: 0n,
        events: [data({ type: 'ConnectionGranted', data: { userId, clientId, ...terms, at } })],
      })),
    );
  }
  return users;
}

/** Appends a connection event to a user's stream, as the command handler would. */
export async function changeConnection(store: EventStore, event: DomainEvent & { data: { userId: string } }) {
  await store.appendToStream(streams.user(event.data.userId), [data(event)], {
    expectedState: 'stream_exists',
  });
}

/** Requests a broadcast the way the command handler decides it; returns its id and request event. */
export async function requestBroadcast(
  store: EventStore,
  clientId: string,
  options: { audience?: BroadcastAudience; channel?: string; outboundMessageId?: string; now?: Date } = {},
): Promise<{ broadcastId: string; requested: BroadcastEvent }> {
  const outboundMessageId = options.outboundMessageId ?? `msg-${randomUUID().slice(0, 8)}`;
  const channel = options.channel ?? 'notifications';
  const audience = options.audience ?? { kind: 'topic' };
  const content = { title: 'Here is your reminder', body: 'You asked to be reminded.' };
  const broadcastId = broadcastIdOf(clientId, outboundMessageId);
  const [requested] = broadcastDecider.decide(
    {
      type: 'RequestBroadcast',
      data: {
        broadcastId,
        clientId,
        outboundMessageId,
        channel,
        audience,
        content,
        contentHash: broadcastContentHash({ channel, audience, content }),
      },
    },
    broadcastDecider.initialState(),
    { now: options.now ?? new Date() },
  );
  await store.appendToStream(streams.broadcast(broadcastId), [data(requested!)], {
    expectedState: 'no_stream',
  });
  return { broadcastId, requested: requested! };
}

/** Event types of every recipient stream of a broadcast, by user id. */
export async function recipientHistories(
  sql: postgres.Sql,
  broadcastId: string,
): Promise<Map<string, string[]>> {
  const rows = await sql<{ stream: string; types: string[] }[]>`
    SELECT stream_name AS stream, array_agg(type ORDER BY revision) AS types
    FROM es.events WHERE stream_name LIKE ${`recipient-${broadcastId}-%`} GROUP BY stream_name`;
  return new Map(rows.map((r) => [r.stream.slice(`recipient-${broadcastId}-`.length), r.types]));
}
