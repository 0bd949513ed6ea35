import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDelivery, listDeliveries, redriveDeliveries } from './deliveries-admin.js';
import { verifySignatureHeader } from './signature.js';
import { appendAndRelay, eventually } from './test-support.js';
import { dispatcherTestbed, messagesOf } from './testbed.js';

describe('webhook dispatcher (in-process, real NATS and PostgreSQL)', () => {
  const bed = dispatcherTestbed();
  const { start, receiver, newClient, newConversation, post } = bed;

  it('delivers each event once per webhook, signed, in order per conversation', async () => {
    const a = await receiver();
    const b = await receiver();
    const { clientId, hooks } = await newClient([a.url, b.url]);
    await start();
    const convs = [
      await newConversation(clientId),
      await newConversation(clientId),
      await newConversation(clientId),
    ];
    const expected = new Map<string, string[]>();
    for (let i = 0; i < 15; i++) {
      for (const c of convs) {
        await post(clientId, c, `m${i}`);
        expected.set(c.conversationId, [...(expected.get(c.conversationId) ?? []), `m${i}`]);
      }
    }
    // user.new ×3 + conversation.started ×3 + 45 messages, to each webhook
    await eventually('every delivery', () =>
      a.requests.length >= 51 && b.requests.length >= 51 ? true : undefined,
    );
    for (const r of [a, b]) {
      for (const c of convs) expect(messagesOf(r, c.conversationId)).toEqual(expected.get(c.conversationId));
      expect(new Set(r.requests.map((q) => q.headers['x-switchboard-event-id'])).size).toBe(51);
    }
    const sample = a.requests.find((q) => q.body.type === 'message.new')!;
    const token = hooks[0]!.token;
    expect(sample.headers['x-bp-messaging-client-id']).toBe(clientId);
    expect(sample.headers['x-bp-messaging-webhook-token']).toBe(token);
    expect(sample.headers['x-switchboard-event-id']).toBe(sample.body.id);
    const signature = String(sample.headers['x-switchboard-signature']);
    expect(signature).toContain(`t=${sample.headers['x-switchboard-timestamp']},v1=`);
    expect(verifySignatureHeader(token, signature, sample.rawBody, Math.floor(Date.now() / 1000))).toBe(true);
    expect(
      verifySignatureHeader(hooks[1]!.token, signature, sample.rawBody, Math.floor(Date.now() / 1000)),
    ).toBe(false);
  });

  it('delivers to a webhook only what happens while it exists', async () => {
    const first = await receiver();
    const later = await receiver();
    const { clientId, hooks } = await newClient([first.url]);
    await start();
    const c = await newConversation(clientId);
    await post(clientId, c, 'before');
    await eventually('the first webhook gets the first message', () =>
      messagesOf(first, c.conversationId).length === 1 ? true : undefined,
    );
    const laterId = randomUUID();
    await appendAndRelay(bed.store, bed.bus, clientId, `client-${clientId}`, [
      {
        type: 'WebhookAdded',
        data: { clientId, webhookId: laterId, url: later.url, sealedToken: bed.box.encrypt('later-token') },
      },
      { type: 'WebhookRemoved', data: { clientId, webhookId: hooks[0]!.webhookId, url: first.url } },
    ]);
    const after = await post(clientId, c, 'after');
    await eventually('the later webhook gets the message posted after it was added', () =>
      messagesOf(later, c.conversationId).length === 1 ? true : undefined,
    );
    expect(messagesOf(later, c.conversationId)).toEqual(['after']);
    expect(later.requests.map((q) => q.body.type)).toEqual(['message.new']);
    expect(messagesOf(first, c.conversationId)).toEqual(['before']);
    const toRemoved = await bed.sql`
      SELECT 1 FROM dispatch.deliveries WHERE webhook_id = ${hooks[0]!.webhookId} AND event_id = ${after.id}`;
    expect(toRemoved).toHaveLength(0);
  });

  it('retries 5xx as Retry-After asks, fails a 4xx at once, and goes on with the conversation', async () => {
    let calls = 0;
    const r = await receiver((req) => {
      if (req.body.type !== 'message.new') return { status: 200 };
      const text = (req.body.data.message as { payload: { text: string } }).payload.text;
      if (text === 'flaky') {
        calls++;
        if (calls === 1) return { status: 503, headers: { 'retry-after': '1' } };
        if (calls <= 3) return { status: 500 };
        return { status: 200 };
      }
      if (text === 'rejected') return { status: 400 };
      return { status: 200 };
    });
    const { clientId } = await newClient([r.url]);
    await start();
    const c = await newConversation(clientId);
    const flaky = await post(clientId, c, 'flaky');
    const rejected = await post(clientId, c, 'rejected');
    await post(clientId, c, 'last');
    await eventually('the last message', () =>
      messagesOf(r, c.conversationId).includes('last') ? true : undefined,
    );
    // In order: the flaky one's four attempts, then the rejected one once, then the last one.
    expect(messagesOf(r, c.conversationId)).toEqual(['flaky', 'flaky', 'flaky', 'flaky', 'rejected', 'last']);

    const [delivered] = await listDeliveries(bed.sql, { clientId, status: 'delivered', limit: 10 }).then(
      (all) => all.filter((d) => d.eventId === flaky.id),
    );
    const detail = await getDelivery(bed.sql, delivered!.id);
    expect(detail?.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'retry'],
      [4, 200, 'delivered'],
    ]);
    const times = detail!.attempts.map((a) => a.startedAt.getTime());
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000); // Retry-After: 1
    const [failed] = (await listDeliveries(bed.sql, { clientId, status: 'failed' })).filter(
      (d) => d.eventId === rejected.id,
    );
    expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 400 });
  });

  it('dead-letters after the retry window and delivers again when re-driven', async () => {
    let up = false;
    const r = await receiver((req) =>
      up || req.body.type !== 'message.new' ? { status: 200 } : { status: 502 },
    );
    const { clientId, hooks } = await newClient([r.url]);
    await start({ WEBHOOK_RETRY_WINDOW_MS: 500 });
    const c = await newConversation(clientId);
    const m = await post(clientId, c, 'lost?');
    const dead = await eventually('the dead letter', async () => {
      const found = await listDeliveries(bed.sql, { clientId, status: 'dead' });
      return found.find((d) => d.eventId === m.id);
    });
    expect(dead.attemptCount).toBeGreaterThanOrEqual(2);
    expect((await getDelivery(bed.sql, dead.id))?.attempts.at(-1)?.outcome).toBe('dead');

    up = true;
    const redriven = await redriveDeliveries(bed.sql, { filter: { webhookId: hooks[0]!.webhookId } }, 60_000);
    expect(redriven).toContain(dead.id);
    await eventually('the re-driven delivery', async () => {
      const d = await getDelivery(bed.sql, dead.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(r.requests.at(-1)?.body.id).toBe(m.id);
  });

  it('keeps delivering to other webhooks while one hangs', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const slow = await newClient([hanging.url]);
    const fine = await newClient([healthy.url]);
    // A timeout far beyond the wait below: the healthy webhook's deliveries can only arrive if they
    // never queue behind the hanging ones.
    await start({
      WEBHOOK_TIMEOUT_MS: 120_000,
      WEBHOOK_MAX_IN_FLIGHT: 8,
      WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK: 2,
    });
    try {
      const slowConvs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => newConversation(slow.clientId)));
      for (const c of slowConvs) await post(slow.clientId, c, 'stuck');
      await eventually('the hanging webhook holds its attempts', () =>
        hanging.hanging > 0 ? true : undefined,
      );
      const c = await newConversation(fine.clientId);
      for (let i = 0; i < 10; i++) await post(fine.clientId, c, `ok${i}`);
      await eventually('the healthy webhook', () =>
        messagesOf(healthy, c.conversationId).length === 10 ? true : undefined,
      );
      // Nothing has timed out: the hanging webhook's first attempts are all still open, and they are no
      // more than its share.
      expect(hanging.requests.length).toBe(hanging.hanging);
      expect(hanging.hanging).toBeGreaterThanOrEqual(1);
      expect(hanging.hanging).toBeLessThanOrEqual(2);
    } finally {
      // Ends the open attempts so the dispatcher's stop need not wait for the timeout.
      await hanging.close();
    }
  });

  it('finishes the attempt in flight when stopped, and a restart loses nothing', async () => {
    const r = await receiver((req) => {
      const text = (req.body.data.message as { payload?: { text?: string } } | undefined)?.payload?.text;
      return { status: 200, delayMs: text === 'n5' ? 500 : 0 };
    });
    const { clientId } = await newClient([r.url]);
    const first = await start();
    const c = await newConversation(clientId);
    for (let i = 0; i < 20; i++) await post(clientId, c, `n${i}`);
    await eventually('n5 in flight', () =>
      messagesOf(r, c.conversationId).includes('n5') ? true : undefined,
    );
    await bed.stop(first);
    // The attempt in flight was finished and recorded; nothing after it was started.
    const [n5] = await bed.sql<{ status: string; attempt_count: number }[]>`
      SELECT d.status, d.attempt_count FROM dispatch.deliveries d JOIN dispatch.events e ON e.id = d.event_id
      WHERE d.client_id = ${clientId} AND e.body LIKE '%"text":"n5"%'`;
    expect(n5).toEqual({ status: 'delivered', attempt_count: 1 });
    expect(messagesOf(r, c.conversationId).at(-1)).toBe('n5');

    for (let i = 20; i < 40; i++) await post(clientId, c, `n${i}`);
    await start();
    const want = Array.from({ length: 40 }, (_, i) => `n${i}`);
    await eventually('all 40 after the restart', () =>
      messagesOf(r, c.conversationId).length >= 40 ? true : undefined,
    );
    // Exactly once and in order: the drain left nothing half done.
    expect(messagesOf(r, c.conversationId)).toEqual(want);
  });

  it('refuses private addresses unless allowed', async () => {
    const r = await receiver();
    const { clientId } = await newClient([r.url, 'http://localhost:9/hook']);
    await start({ WEBHOOKS_ALLOW_PRIVATE: false });
    await newConversation(clientId);
    const failed = await eventually('both refusals', async () => {
      const found = await listDeliveries(bed.sql, { clientId, status: 'failed' });
      return found.length >= 4 ? found : undefined;
    });
    expect(failed.map((d) => d.lastError).join('\n')).toMatch(
      /127\.0\.0\.1 is a private or reserved address/,
    );
    expect(failed.map((d) => d.lastError).join('\n')).toMatch(/localhost refused: (127\.0\.0\.1|::1)/);
    expect(r.requests).toHaveLength(0);
  });
});
