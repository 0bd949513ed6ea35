import { spawn } from 'node:child_process';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';

const root = join(import.meta.dirname, '..', '..');

/** Every read-model table, in key order: two dumps are equal when the read models are. */
async function dumpReadModels(sql: postgres.Sql): Promise<Record<string, unknown[]>> {
  const tables = [
    'clients',
    'client_channels',
    'webhooks',
    'users',
    'conversations',
    'messages',
    'endpoints',
  ];
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) {
    dump[table] = await sql.unsafe(`SELECT * FROM rm.${table} ORDER BY 1, 2, 3`);
  }
  return dump;
}

describe('read models recover from the event store', () => {
  let system: TestSystem;
  let sql: postgres.Sql;

  beforeAll(async () => {
    system = await TestSystem.start();
    sql = postgres(system.db.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await system?.stop();
  });

  it('converges with no duplicate and no missing message after the projector is killed mid-run', async () => {
    const { body: client } = await http<{ id: string; token: string }>(
      system.gatewayUrl,
      'POST',
      '/api/v1/sync',
      { body: {} },
    );
    const headers = clientHeaders(client.id, client.token);
    const user = (await http<{ id: string }>(system.gatewayUrl, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(system.gatewayUrl, 'POST', '/api/v1/conversations', {
        headers,
        body: { userId: user.id },
      })
    ).body;

    // Posting goes on while the projector dies: read-your-writes gives up after its bounded wait,
    // but every command is stored, and nothing waits on the projector to accept one.
    const total = 300;
    const posts = Array.from({ length: total }, async (_, i) => {
      const res = await http(system.gatewayUrl, 'POST', '/api/v1/messages', {
        headers,
        body: { conversationId: conv.id, authorId: user.id, payload: { type: 'text', text: `m${i}` } },
      });
      expect(res.status).toBe(201);
    });
    await eventually(async () => {
      const [row] = await sql`SELECT count(*)::int AS n FROM rm.messages WHERE conversation_id = ${conv.id}`;
      return row!.n >= 30 ? true : undefined;
    });
    expect(await system.stopService('projector', 'SIGKILL')).toBeNull();
    await Promise.all(posts);
    await system.startService('projector');

    const counted = await eventually(async () => {
      const [row] = await sql`
        SELECT count(*)::int AS n, count(DISTINCT sequence)::int AS sequences, min(sequence)::int AS first,
               max(sequence)::int AS last, count(DISTINCT payload->>'text')::int AS texts
        FROM rm.messages WHERE conversation_id = ${conv.id}`;
      return row!.n === total ? row : undefined;
    }, 20_000);
    expect(counted).toEqual({ n: total, sequences: total, first: 1, last: total, texts: total });
    const listed = await http<unknown[]>(
      system.gatewayUrl,
      'GET',
      `/api/v1/messages/conversation/${conv.id}?limit=1000`,
      {
        headers,
      },
    );
    expect(listed.body).toHaveLength(total);
  });

  it('rebuilds identical read models after the tables are emptied', async () => {
    const { body: client } = await http<{ id: string; token: string }>(
      system.gatewayUrl,
      'POST',
      '/api/v1/sync',
      {
        body: {
          channels: { telegram: { enabled: true, botToken: '123:t' } },
          webhooks: [{ url: 'http://127.0.0.1:9/x' }],
        },
      },
    );
    const headers = clientHeaders(client.id, client.token);
    await http(system.gatewayUrl, 'POST', '/api/v1/endpoints/map', {
      headers,
      body: { channel: { name: 'telegram', version: '1.0.0' }, identity: '*', sender: '7', thread: '7' },
    });
    const user = (await http<{ id: string }>(system.gatewayUrl, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(system.gatewayUrl, 'POST', '/api/v1/conversations', {
        headers,
        body: { userId: user.id },
      })
    ).body;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await http<{ id: string }>(system.gatewayUrl, 'POST', '/api/v1/messages', {
        headers,
        body: {
          conversationId: conv.id,
          authorId: i % 2 ? null : user.id,
          payload: { type: 'text', text: `r${i}` },
        },
      });
      ids.push(res.body.id);
    }
    await http(system.gatewayUrl, 'DELETE', `/api/v1/messages/${ids[1]}`, { headers });

    await system.stopService('projector');
    const before = await dumpReadModels(sql);
    await sql`TRUNCATE rm.clients, rm.client_channels, rm.webhooks, rm.users, rm.conversations, rm.messages, rm.endpoints`;
    expect((await dumpReadModels(sql)).messages).toEqual([]);

    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'services/projector/src/rebuild.ts'], {
        cwd: root,
        env: { ...process.env, ...system.env, LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      });
      child.once('exit', resolve);
    });
    expect(code).toBe(0);
    expect(await dumpReadModels(sql)).toEqual(before);

    await system.startService('projector');
    const list = await http<{ id: string }[]>(
      system.gatewayUrl,
      'GET',
      `/api/v1/messages/conversation/${conv.id}`,
      {
        headers,
      },
    );
    expect(list.body.map((m) => m.id)).toEqual([ids[4], ids[3], ids[2], ids[0]]);
  });
});
