import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, http } from './http.js';
import { TestSystem } from './system.js';

interface Synced {
  id: string;
  token: string;
  webhooks: { url: string; token: string }[];
}
interface Msg {
  id: string;
  conversationId: string;
  authorId?: string;
  sentOn: string;
  payload: Record<string, unknown>;
}

describe('Botpress dialect over raw HTTP', () => {
  let system: TestSystem;
  let url: string;

  beforeAll(async () => {
    system = await TestSystem.start();
    url = system.gatewayUrl;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const newClient = async () => {
    const res = await http<Synced>(url, 'POST', '/api/v1/sync', { body: {} });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('creates a client by sync without credentials and reconfigures it with id + token', async () => {
    const created = await http<Synced>(url, 'POST', '/api/v1/sync', {
      body: {
        channels: { telegram: { enabled: true, botToken: '123456:secret-bot-token' } },
        webhooks: [{ url: 'http://127.0.0.1:9/a' }],
      },
    });
    expect(created.status).toBe(200);
    const { id, token, webhooks } = created.body;
    expect(webhooks).toEqual([{ url: 'http://127.0.0.1:9/a', token: expect.any(String) }]);

    const health = await http<{ channels: Record<string, { events: { type: string }[] }> }>(
      url,
      'GET',
      '/api/v1/health',
      {
        headers: clientHeaders(id, token),
      },
    );
    expect(Object.keys(health.body.channels)).toEqual(['telegram']);
    expect(JSON.stringify(health.body)).not.toContain('secret-bot-token');

    const updated = await http<Synced>(url, 'POST', '/api/v1/sync', {
      body: {
        id,
        token,
        channels: { twilio: { enabled: true, accountSID: `AC${'0'.repeat(32)}`, authToken: 'tw' } },
        webhooks: [{ url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b' }],
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(id);
    expect(updated.body.webhooks).toEqual([
      { url: 'http://127.0.0.1:9/a', token: webhooks[0]!.token },
      { url: 'http://127.0.0.1:9/b', token: expect.any(String) },
    ]);
    const after = await http<{ channels: Record<string, unknown> }>(url, 'GET', '/api/v1/health', {
      headers: clientHeaders(id, token),
    });
    expect(Object.keys(after.body.channels)).toEqual(['twilio']);
  });

  it('answers 403 to a sync with a valid id and a wrong token, and changes nothing', async () => {
    const { id, token } = await newClient();
    const res = await http<{ statusCode: number }>(url, 'POST', '/api/v1/sync', {
      body: { id, token: 'wrong', channels: { slack: { enabled: true } } },
    });
    expect(res.status).toBe(403);
    const health = await http<{ channels: object }>(url, 'GET', '/api/v1/health', {
      headers: clientHeaders(id, token),
    });
    expect(health.body.channels).toEqual({});
  });

  it('never lets one client read, change or delete what another owns', async () => {
    const a = await newClient();
    const b = await newClient();
    const asA = clientHeaders(a.id, a.token);
    const asB = clientHeaders(b.id, b.token);
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers: asA })).body;
    const conv = (
      await http<{ id: string }>(url, 'POST', '/api/v1/conversations', {
        headers: asA,
        body: { userId: user.id },
      })
    ).body;
    const msg = (
      await http<Msg>(url, 'POST', '/api/v1/messages', {
        headers: asA,
        body: { conversationId: conv.id, authorId: user.id, payload: { type: 'text', text: 'private' } },
      })
    ).body;
    await http(url, 'POST', '/api/v1/endpoints/map', {
      headers: asA,
      body: { channel: { name: 'telegram', version: '1.0.0' }, identity: '*', sender: '1', thread: '1' },
    });

    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/users/${user.id}`],
      ['GET', `/api/v1/conversations/${conv.id}`],
      ['GET', `/api/v1/conversations/user/${user.id}`],
      ['POST', '/api/v1/conversations', { userId: user.id }],
      ['GET', `/api/v1/messages/${msg.id}`],
      ['DELETE', `/api/v1/messages/${msg.id}`],
      ['GET', `/api/v1/messages/conversation/${conv.id}`],
      ['DELETE', `/api/v1/messages/conversation/${conv.id}`],
      ['POST', '/api/v1/messages', { conversationId: conv.id, payload: { type: 'text', text: 'intrusion' } }],
      [
        'POST',
        '/api/v1/messages',
        { conversationId: randomUUID(), authorId: user.id, payload: { type: 'text', text: 'x' } },
      ],
      ['POST', `/api/v1/messages/turn/${msg.id}`],
      ['GET', `/api/v1/endpoints/conversation/${conv.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await http(url, method, path, { headers: asB, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    // A's data is untouched.
    const list = await http<Msg[]>(url, 'GET', `/api/v1/messages/conversation/${conv.id}`, { headers: asA });
    expect(list.body.map((m) => m.id)).toEqual([msg.id]);
  });

  it('validates payloads: a known type with a wrong shape or a NUL character is refused, an unknown type is stored', async () => {
    const { id, token } = await newClient();
    const headers = clientHeaders(id, token);
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(url, 'POST', '/api/v1/conversations', { headers, body: { userId: user.id } })
    ).body;
    const bad = await http<{ message: string }>(url, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId: conv.id, authorId: user.id, payload: { type: 'image' } },
    });
    expect(bad.status).toBe(400);
    // A NUL character could not be stored (it used to fail the append: a 500).
    const nul = await http<{ message: string }>(url, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId: conv.id, authorId: user.id, payload: { type: 'text', text: 'a\u0000b' } },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toContain('NUL character');
    const custom = await http<Msg>(url, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId: conv.id, authorId: user.id, payload: { type: 'my-widget', data: 1 } },
    });
    expect(custom.status).toBe(201);
    expect(custom.body.payload).toEqual({ type: 'my-widget', data: 1 });
    const list = await http<Msg[]>(url, 'GET', `/api/v1/messages/conversation/${conv.id}`, { headers });
    expect(list.body).toHaveLength(1);
  });

  it('collects the bot replies to a message until its turn ends, or until the timeout', async () => {
    const { id, token } = await newClient();
    const headers = clientHeaders(id, token);
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(url, 'POST', '/api/v1/conversations', { headers, body: { userId: user.id } })
    ).body;

    // The bot: waits for the collecting message to exist, answers it twice, then ends the turn.
    const bot = async (endTurn: boolean) => {
      let incoming: Msg | undefined;
      while (!incoming) {
        await new Promise((r) => setTimeout(r, 20));
        const list = await http<Msg[]>(url, 'GET', `/api/v1/messages/conversation/${conv.id}?limit=1`, {
          headers,
        });
        incoming = list.body.find((m) => m.authorId === user.id && !seen.has(m.id));
      }
      seen.add(incoming.id);
      for (const text of ['first answer', 'second answer']) {
        await http(url, 'POST', '/api/v1/messages', {
          headers,
          body: {
            conversationId: conv.id,
            authorId: null,
            incomingId: incoming.id,
            payload: { type: 'text', text },
          },
        });
      }
      if (endTurn) await http(url, 'POST', `/api/v1/messages/turn/${incoming.id}`, { headers });
    };
    const seen = new Set<string>();

    const started = Date.now();
    const [collected] = await Promise.all([
      http<Msg[]>(url, 'POST', '/api/v1/messages/collect', {
        headers,
        body: {
          conversationId: conv.id,
          authorId: user.id,
          payload: { type: 'text', text: 'question' },
          timeout: 20_000,
        },
      }),
      bot(true),
    ]);
    expect(collected.status).toBe(200);
    expect(collected.body.map((m) => m.payload.text)).toEqual(['first answer', 'second answer']);
    expect(collected.body.every((m) => m.authorId === undefined)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);

    const [timedOut] = await Promise.all([
      http<Msg[]>(url, 'POST', '/api/v1/messages/collect', {
        headers,
        body: {
          conversationId: conv.id,
          authorId: user.id,
          payload: { type: 'text', text: 'again' },
          timeout: 1_500,
        },
      }),
      bot(false),
    ]);
    expect(timedOut.body.map((m) => m.payload.text)).toEqual(['first answer', 'second answer']);

    const nobody = await http<Msg[]>(url, 'POST', '/api/v1/messages/collect', {
      headers,
      body: {
        conversationId: conv.id,
        authorId: user.id,
        payload: { type: 'text', text: 'anyone?' },
        timeout: 200,
      },
    });
    expect(nobody.body).toEqual([]);

    const tooLong = await http(url, 'POST', '/api/v1/messages/collect', {
      headers,
      body: {
        conversationId: conv.id,
        authorId: user.id,
        payload: { type: 'text', text: 'x' },
        timeout: 60_000,
      },
    });
    expect(tooLong.status).toBe(400);
  });
});
