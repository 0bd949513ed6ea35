import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';
import { WebhookReceiver } from './webhook-receiver.js';

const CONVERSATIONS = 10;
const MESSAGES_EACH = 100;

interface Synced {
  id: string;
  token: string;
}

describe('webhook ordering at volume, across a dispatcher crash', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['command-handler', 'relay', 'projector', 'gateway', 'webhook-dispatcher'],
      // A crashed dispatcher's reservations lapse after time-out + margin: keep that short here.
      env: { WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_LEASE_MARGIN_MS: '500', WEBHOOK_POLL_INTERVAL_MS: '200' },
    });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await system?.stop();
  });

  it('delivers 1,000 messages over 10 conversations exactly once each to a deduping receiver, each conversation in order', async () => {
    const url = system.gatewayUrl;
    const synced = (
      await http<Synced>(url, 'POST', '/api/v1/sync', { body: { webhooks: [{ url: receiver.url }] } })
    ).body;
    const headers = clientHeaders(synced.id, synced.token);
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body;
    const conversations: string[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const conv = await http<{ id: string }>(url, 'POST', '/api/v1/conversations', {
        headers,
        body: { userId: user.id },
      });
      conversations.push(conv.body.id);
    }

    const messageNews = () => receiver.unique().filter((r) => r.body.type === 'message.new');
    const posted = new Map<string, string[]>(conversations.map((c) => [c, []]));
    let crashed = false;
    const startedAt = Date.now();
    // One writer per conversation, all at once; the dispatcher is killed (SIGKILL) a third of the way in.
    await Promise.all(
      conversations.map(async (conversationId) => {
        for (let i = 0; i < MESSAGES_EACH; i++) {
          const res = await http<{ id: string }>(url, 'POST', '/api/v1/messages', {
            headers,
            body: {
              conversationId,
              authorId: user.id,
              payload: { type: 'text', text: `${conversationId}:${i}` },
            },
          });
          expect(res.status).toBe(201);
          posted.get(conversationId)!.push(res.body.id);
          if (!crashed && messageNews().length >= 300) {
            crashed = true;
            await system.stopService('webhook-dispatcher', 'SIGKILL');
            await system.startService('webhook-dispatcher');
          }
        }
      }),
    );
    expect(crashed).toBe(true);
    const postedAfterMs = Date.now() - startedAt;

    const total = CONVERSATIONS * MESSAGES_EACH;
    await eventually(async () => (messageNews().length >= total ? true : undefined), 45_000);
    const deliveredAfterMs = Date.now() - startedAt;

    // Exactly once after deduplication: every posted message, nothing else.
    const unique = messageNews();
    expect(unique).toHaveLength(total);
    const ids = (r: (typeof unique)[number]) => (r.body.data.message as { id: string }).id;
    expect(new Set(unique.map(ids))).toEqual(new Set([...posted.values()].flat()));
    // In order per conversation: the first arrival of each message follows the conversation's sequence.
    for (const conversationId of conversations) {
      const arrived = unique.filter((r) => r.body.data.conversationId === conversationId);
      expect(arrived.map((r) => (r.body.data.message as { sequence: number }).sequence)).toEqual(
        Array.from({ length: MESSAGES_EACH }, (_, i) => i + 1),
      );
    }
    const started = receiver.unique().filter((r) => r.body.type === 'conversation.started');
    expect(started).toHaveLength(CONVERSATIONS);
    const duplicates = receiver.requests.length - receiver.unique().length;
    console.info(
      `webhook deliveries: ${receiver.unique().length} events, ${duplicates} redelivered after the crash; ` +
        `posted in ${postedAfterMs} ms, all delivered after ${deliveredAfterMs} ms`,
    );
  });
});
