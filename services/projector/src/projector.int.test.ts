import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  type Position,
} from '@switchboard/event-store';
import {
  checkpointChannel,
  coreProjection,
  findUser,
  listConversationMessages,
  readCheckpoint,
  rebuildReadModels,
  startOfAll,
} from '@switchboard/read-models';
import { createLogger } from '@switchboard/telemetry';
import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectorConfig } from './config.js';
import { type RunningProjector, startProjector } from './service.js';
import { appendMixedWorkload, dumpReadModels, until, waitForCheckpoint } from './testing/workload.js';

const logger = createLogger('projector-test', 'silent');

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;
const running = new Set<RunningProjector>();

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 4 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
});

afterEach(async () => {
  for (const projector of running) await projector.stop();
  running.clear();
  await store?.close();
  await sql?.end();
  await db?.drop();
});

function config(overrides: Partial<ProjectorConfig> = {}): ProjectorConfig {
  return {
    DATABASE_URL: db.url,
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: 0,
    LOG_LEVEL: 'silent',
    PROJECTOR_BATCH_SIZE: 64,
    PROJECTOR_POLL_INTERVAL_MS: 100,
    PROJECTOR_STANDBY_RETRY_MS: 25,
    PROJECTOR_LEADER_CHECK_MS: 50,
    DATABASE_POOL_SIZE: 4,
    ...overrides,
  };
}

async function start(overrides: Partial<ProjectorConfig> = {}): Promise<RunningProjector> {
  const projector = await startProjector(config(overrides), logger);
  running.add(projector);
  return projector;
}

async function stop(projector: RunningProjector): Promise<void> {
  running.delete(projector);
  await projector.stop();
}

async function createUser(clientId: string): Promise<{ userId: string; position: Position }> {
  const userId = randomUUID();
  const { position } = await store.appendToStream(`user-${userId}`, [
    { type: 'UserCreated', data: { userId, clientId } },
  ]);
  return { userId, position };
}

describe('the projector', () => {
  it('projects events appended while it runs, then advances and announces its checkpoint', async () => {
    const projector = await start();
    await until(async () => (await projector.ready()).subscription === true);
    const notified: string[] = [];
    const { unlisten } = await sql.listen(checkpointChannel, (payload) => notified.push(payload));

    const { clientIds, conversationIds } = await appendMixedWorkload(store);
    const { userId, position } = await createUser(clientIds[0]!);

    const expected = `core:${position.commit}:${position.prepare}`;
    await until(() => notified.includes(expected), 10_000, 'notification of the last event');
    expect(await readCheckpoint(sql, 'core')).toEqual(position);
    expect(await findUser(sql, clientIds[0]!, userId)).not.toBeNull();
    const messages = await listConversationMessages(sql, clientIds[0]!, conversationIds[1]!, 100);
    expect(messages.map((m) => m.sequence)).toEqual(['7', '6', '5']);
    expect(await projector.ready()).toEqual({ database: true, elected: true, subscription: true });
    await unlisten();
  });

  it('moves its checkpoint past events it ignores, so a wait for their position ends', async () => {
    await start();
    const { position } = await store.appendToStream(`delivery-${randomUUID()}`, [
      { type: 'DeliveryAttempted', data: {} },
    ]);

    await until(async () => {
      const at = await readCheckpoint(sql, 'core');
      return at?.commit === position.commit && at.prepare === position.prepare;
    });
  });

  it('restarts from its checkpoint: nothing applied twice, nothing missed', async () => {
    const first = await start();
    const { last } = await appendMixedWorkload(store, 1);
    await waitForCheckpoint(sql, last);
    const before = await dumpReadModels(sql);
    await stop(first);

    const clientId = randomUUID();
    const late = [await createUser(clientId), await createUser(clientId)];
    const second = await start();
    await waitForCheckpoint(sql, late[1]!.position);

    // the second process applied only what came after the first one's checkpoint
    expect(second.projector.projected).toBe(2);
    const after = await dumpReadModels(sql);
    expect(after['rm.users']).toHaveLength(before['rm.users']!.length + 2);
    expect({ ...after, 'rm.users': before['rm.users'] }).toEqual(before);
    for (const { userId } of late) expect(await findUser(sql, clientId, userId)).not.toBeNull();
  });

  it('lets one process lead while another stands by, and the standby takes over when the leader stops', async () => {
    const a = await start();
    await until(() => a.projector.role === 'leader');
    const b = await start();
    await until(() => b.projector.role === 'standby');
    expect(await b.ready()).toEqual({ database: true, elected: true, subscription: true });

    await stop(a);
    await until(() => b.projector.role === 'leader');
    const clientId = randomUUID();
    const { userId } = await createUser(clientId);

    await until(async () => (await findUser(sql, clientId, userId)) !== null);
    expect(b.projector.projected).toBe(1);
  });

  it('steps down when its lock session dies; exactly one process leads again and each event applies once', async () => {
    const a = await start();
    await until(() => a.projector.role === 'leader');
    const b = await start();
    await until(() => b.projector.role === 'standby');
    const clientId = randomUUID();
    await waitForCheckpoint(sql, (await createUser(clientId)).position);

    await sql`
      SELECT pg_terminate_backend(l.pid) FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.classid = ${0x726d}::int::oid AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    let last = startOfAll;
    for (let i = 0; i < 20; i++) last = (await createUser(clientId)).position;

    // the old leader notices within its check interval; until then the checkpoint fences its writes
    const roles = () => [a, b].map((p) => p.projector.role).sort();
    // first see the change happen (a stepped down, or b took over while a has not noticed yet),
    // then the two settle: one leader that holds the lock, one standby
    await until(() => a.projector.role !== 'leader' || b.projector.role === 'leader');
    await until(() => roles().join() === 'leader,standby');
    await waitForCheckpoint(sql, last);
    expect(roles()).toEqual(['leader', 'standby']);
    const [row] = await sql<{ count: number }[]>`
      SELECT count(*)::int AS count FROM rm.users WHERE client_id = ${clientId}`;
    expect(row?.count).toBe(21);
  });

  it('stops after the batch in flight and leaves the checkpoint at a committed batch', async () => {
    const projector = await start({ PROJECTOR_BATCH_SIZE: 4 });
    await appendMixedWorkload(store, 2);
    await until(() => projector.projector.projected > 0);

    await stop(projector);

    expect(projector.projector.role).toBe('stopped');
    const at = await readCheckpoint(sql, 'core');
    const [row] = await sql<{ users: number }[]>`SELECT count(*)::int AS users FROM rm.users`;
    // what was committed is exactly what the checkpoint says: replaying the store to it gives the same users
    const upTo = (await store.readAll()).filter(
      (e) =>
        e.position.commit < at!.commit ||
        (e.position.commit === at!.commit && e.position.prepare <= at!.prepare),
    );
    expect(row?.users).toBe(upTo.filter((e) => e.type === 'UserCreated').length);
  });
});

describe('a rebuild', () => {
  it('given projected read models, when rebuilt with no projector running, then every table is identical', async () => {
    const projector = await start();
    await appendMixedWorkload(store, 3);
    const { last } = await appendMixedWorkload(store, 4);
    await waitForCheckpoint(sql, last);
    await stop(projector);
    const before = await dumpReadModels(sql);
    expect(before['rm.messages']!.length).toBeGreaterThan(20);

    const result = await rebuildReadModels(sql, store, { batchSize: 7, until: last });

    let stored = 0;
    await until(async () => {
      stored = (await store.readAll()).length;
      return stored === result.replayed;
    });
    expect(stored).toBeGreaterThan(100);
    expect(await readCheckpoint(sql, 'core')).toEqual(last);
    expect(await dumpReadModels(sql)).toEqual(before);
  });

  it('given a running leader, when rebuilt, then the leader replays and every table is identical', async () => {
    const projector = await start();
    const { last } = await appendMixedWorkload(store, 5);
    await waitForCheckpoint(sql, last);
    const before = await dumpReadModels(sql);
    const projectedBefore = projector.projector.projected;

    const result = await rebuildReadModels(sql, store, { pollMs: 10, until: last });

    expect(result.replayed).toBe(0);
    await until(() => projector.projector.projected === projectedBefore * 2);
    expect(await dumpReadModels(sql)).toEqual(before);
  });

  it('rebuilds tables emptied behind its back from the store alone', async () => {
    const projector = await start();
    const { last } = await appendMixedWorkload(store, 6);
    await waitForCheckpoint(sql, last);
    const before = await dumpReadModels(sql);
    await stop(projector);
    await sql.unsafe(`TRUNCATE ${coreProjection.tables.join(', ')}`);

    await rebuildReadModels(sql, store, { until: last });

    expect(await dumpReadModels(sql)).toEqual(before);
  });
});
