import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';

interface Msg {
  id: string;
  conversationId: string;
  authorId?: string;
  payload: Record<string, unknown>;
}

/**
 * `messages/collect` answers from what is stored, not from what the relay has published. The relay is
 * left out here on purpose: with it behind (or down), a bot that posted its replies and then ended its
 * turn must still get them all back to the collecting caller. CI once saw the second of two replies
 * missing because the turn signal overtook the reply's published event.
 */
describe('Botpress collect without the relay', () => {
  let system: TestSystem;
  let url: string;
  let headers: Record<string, string>;
  let userId: string;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['command-handler', 'projector', 'gateway'] });
    url = system.gatewayUrl;
    const synced = await http<{ id: string; token: string }>(url, 'POST', '/api/v1/sync', { body: {} });
    headers = clientHeaders(synced.body.id, synced.body.token);
    userId = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body.id;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const newConversation = async () =>
    (await http<{ id: string }>(url, 'POST', '/api/v1/conversations', { headers, body: { userId } })).body.id;

  /** The bot: finds the collected message, replies with `texts`, deletes the replies in `remove`. */
  const bot = async (conversationId: string, texts: string[], remove: string[] = []) => {
    const incoming = await eventually(async () => {
      const list = await http<Msg[]>(url, 'GET', `/api/v1/messages/conversation/${conversationId}?limit=1`, {
        headers,
      });
      return list.body.find((m) => m.authorId === userId);
    });
    for (const text of texts) {
      const reply = await http<Msg>(url, 'POST', '/api/v1/messages', {
        headers,
        body: { conversationId, authorId: null, incomingId: incoming.id, payload: { type: 'text', text } },
      });
      expect(reply.status).toBe(201);
      if (remove.includes(text)) {
        expect((await http(url, 'DELETE', `/api/v1/messages/${reply.body.id}`, { headers })).status).toBe(
          200,
        );
      }
    }
    const ended = await http(url, 'POST', `/api/v1/messages/turn/${incoming.id}`, { headers });
    expect(ended.status).toBe(200);
  };

  const collect = (conversationId: string, timeout: number) =>
    http<Msg[]>(url, 'POST', '/api/v1/messages/collect', {
      headers,
      body: { conversationId, authorId: userId, payload: { type: 'text', text: 'question' }, timeout },
    });

  it('returns every reply posted before the turn ended, in order, at the turn end', async () => {
    const conversationId = await newConversation();
    const started = Date.now();
    const [collected] = await Promise.all([
      collect(conversationId, 30_000),
      bot(conversationId, ['one', 'two', 'three']),
    ]);
    expect(collected.status).toBe(200);
    expect(collected.body.map((m) => m.payload.text)).toEqual(['one', 'two', 'three']);
    expect(collected.body.every((m) => m.authorId === undefined && m.conversationId === conversationId)).toBe(
      true,
    );
    // Returned at the turn's end, not at the 30 s timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('leaves out a reply deleted before the turn ended', async () => {
    const conversationId = await newConversation();
    const [collected] = await Promise.all([
      collect(conversationId, 30_000),
      bot(conversationId, ['kept', 'withdrawn', 'also kept'], ['withdrawn']),
    ]);
    expect(collected.body.map((m) => m.payload.text)).toEqual(['kept', 'also kept']);
  });
});
