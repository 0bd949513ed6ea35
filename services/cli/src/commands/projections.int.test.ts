import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { coreProjection, rebuildReadModels, tryLockProjection } from '@switchboard/read-models';
import { loadConfig } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectorConfigSchema } from '../../../projector/src/config.js';
import { startProjector } from '../../../projector/src/service.js';
import { type CoreSystem, call, newClient, runCli, startCoreSystem } from '../testing/core-system.js';

/** Every row of the core read models, as text, in a stable order. */
async function dumpReadModels(sql: postgres.Sql): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of coreProjection.tables) {
    const rows = await sql.unsafe<{ row: string }[]>(
      `SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`,
    );
    dump[table] = rows.map((r) => r.row);
  }
  return dump;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('switchboard projections', () => {
  let system: CoreSystem;
  let sql: postgres.Sql;
  let store: EventStore;
  let headers: Record<string, string>;
  let userId: string;
  let conversationId: string;
  const status = async () => {
    const { out, code } = await runCli(system.db.url, ['projections', 'status', '--json']);
    expect(code).toBe(0);
    return JSON.parse(out) as {
      name: string;
      checkpoint: string | null;
      head: string | null;
      lagEvents: number;
      lagSeconds: number;
    }[];
  };
  const post = (text: string) =>
    call<{ id: string }>(system.gateway, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId, authorId: userId, payload: { type: 'text', text } },
    });

  beforeAll(async () => {
    system = await startCoreSystem();
    sql = connectEventStore(system.db.url, { max: 4 });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    ({ headers } = await newClient(system.gateway));
    userId = (await call<{ id: string }>(system.gateway, 'POST', '/api/v1/users', { headers })).body.id;
    conversationId = (
      await call<{ id: string }>(system.gateway, 'POST', '/api/v1/conversations', {
        headers,
        body: { userId },
      })
    ).body.id;
    for (let i = 0; i < 20; i++) expect((await post(`before ${i}`)).status).toBe(201);
  });
  afterAll(async () => {
    await store?.close();
    await sql?.end();
    await system?.stop();
  });

  it("shows each projection's checkpoint, the head and the lag", async () => {
    const caughtUp = await status();
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0]).toMatchObject({ name: 'core', lagEvents: 0, lagSeconds: 0 });
    expect(caughtUp[0]!.checkpoint).toBe(caughtUp[0]!.head);

    // with the projector stopped, what is appended is lag
    await system.projector.stop();
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      await store.appendToStream(`user-${id}`, [
        { type: 'UserCreated', data: { userId: id, clientId: randomUUID() } },
      ]);
    }
    const behind = await status();
    expect(behind[0]).toMatchObject({ name: 'core', checkpoint: caughtUp[0]!.checkpoint, lagEvents: 3 });
    expect(behind[0]!.head).not.toBe(behind[0]!.checkpoint);
    expect(behind[0]!.lagSeconds).toBeGreaterThanOrEqual(0);
    const table = (await runCli(system.db.url, ['projections', 'status'])).out.split('\n');
    expect(table[0]).toMatch(/^PROJECTION\s+CHECKPOINT\s+HEAD\s+LAG_EVENTS\s+LAG_SECONDS\s+UPDATED$/);
    expect(table[1]).toMatch(/^core\s+\d+\/\d+\s+\d+\/\d+\s+3\s+\d+\.\d\s+\S+Z$/);

    system.projector = await startProjector(
      loadConfig(ProjectorConfigSchema, {
        DATABASE_URL: system.db.url,
        HEALTH_PORT: '0',
        PROJECTOR_POLL_INTERVAL_MS: '20',
        PROJECTOR_LEADER_CHECK_MS: '100',
        PROJECTOR_STANDBY_RETRY_MS: '100',
      }),
      createLogger('cli-test', 'silent'),
    );
    await until(async () => (await status())[0]!.lagEvents === 0, 'projector catch-up');
  });

  it('rebuilds under traffic: the gateway keeps answering, and the result equals a projection from scratch', async () => {
    let traffic = true;
    const failures: string[] = [];
    let reads = 0;
    let writes = 0;
    // reads: a conversation's messages never shrink, whatever happens to the tables underneath
    const reading = (async () => {
      let seen = 0;
      while (traffic) {
        const res = await call<unknown[]>(
          system.gateway,
          'GET',
          `/api/v1/messages/conversation/${conversationId}?limit=1000`,
          {
            headers,
          },
        );
        reads++;
        if (res.status !== 200) failures.push(`GET messages: ${res.status}`);
        else if (res.body.length < seen) failures.push(`GET messages: ${res.body.length} after ${seen}`);
        else seen = res.body.length;
        const user = await call(system.gateway, 'GET', `/api/v1/users/${userId}`, { headers });
        if (user.status !== 200) failures.push(`GET user: ${user.status}`);
      }
    })();
    // commands keep arriving, each answered once the (live) projection has it
    const writing = (async () => {
      let i = 0;
      while (traffic) {
        const res = await post(`during ${i++}`);
        writes++;
        if (res.status !== 201) failures.push(`POST message: ${res.status}`);
      }
    })();

    await until(async () => reads > 3 && writes > 3, 'traffic started');
    const rebuild = await runCli(system.db.url, ['projections', 'rebuild', 'core', '--batch-size', '7']);
    const readsDuring = reads;
    await until(async () => reads > readsDuring + 3, 'reads after the switch');
    traffic = false;
    await Promise.all([reading, writing]);

    expect(rebuild.error).toBeUndefined();
    expect(rebuild.out).toMatch(/^rebuilt core: \d+ events in [\d.]+ s, now at \d+\/\d+$/);
    expect(rebuild.err).toMatch(/switched: \d+ events/);
    expect(failures).toEqual([]);

    // the live projector follows on from the rebuilt checkpoint
    const after = await post('after the rebuild');
    expect(after.status).toBe(201);
    const listed = await call<{ id: string }[]>(
      system.gateway,
      'GET',
      `/api/v1/messages/conversation/${conversationId}?limit=1000`,
      {
        headers,
      },
    );
    expect(listed.body[0]?.id).toBe(after.body.id);
    expect(listed.body).toHaveLength(20 + writes + 1);
    const schemas = await sql<
      { name: string }[]
    >`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'rm%'`;
    expect(schemas.map((s) => s.name)).toEqual(['rm']);

    // identical to the same events projected from scratch
    const head = (await store.headPosition())!;
    await until(async () => (await status())[0]!.lagEvents === 0, 'projector catch-up');
    await system.projector.stop();
    const rebuilt = await dumpReadModels(sql);
    expect(rebuilt['rm.messages']).toHaveLength(20 + writes + 1);
    await rebuildReadModels(sql, store, { until: head });
    expect(await dumpReadModels(sql)).toEqual(rebuilt);
  });

  it('names an unknown projection (exit 3), and refuses a rebuild while another runs (exit 4)', async () => {
    const unknown = await runCli(system.db.url, ['projections', 'rebuild', 'nope']);
    expect(unknown.code).toBe(3);
    expect(unknown.error).toMatchObject({ message: 'no projection named "nope" (known: core)' });
    const other = postgres(system.db.url, { max: 1, onnotice: () => {} });
    try {
      expect(await tryLockProjection(other, 'rm:rebuild')).toBe(true);
      const busy = await runCli(system.db.url, ['projections', 'rebuild', 'core']);
      expect(busy.code).toBe(4);
      expect(busy.error).toMatchObject({ message: 'another rebuild of the read models is running' });
    } finally {
      await other.end();
    }
  });
});
