import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import { createEventStore, type EventStore } from '@switchboard/event-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import { type Browser, chromium } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../service.js';
import { startTestGateway } from '../../test-gateway.js';

const ADMIN = 'test-admin-key';

describe('admin API: debugging by replay', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let sql: postgres.Sql;
  let store: EventStore;
  let gateway: RunningGateway;
  const clientId = randomUUID();
  const userId = randomUUID();
  const conversationId = randomUUID();
  const posted = (sequence: number, text: string) => ({
    type: 'MessagePosted',
    data: {
      messageId: randomUUID(),
      conversationId,
      clientId,
      sequence,
      authorId: userId,
      authorKind: 'user',
      payload: { type: 'text', text },
      payloadType: 'text',
      payloadKnown: true,
      source: 'api',
      collect: false,
      sentOn: new Date().toISOString(),
    },
    metadata: { tenant: clientId, actor: userId },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    store = createEventStore({ sql, upcasters: eventUpcasters });
    const stream = `conversation-${conversationId}`;
    await store.appendToStream(stream, [
      {
        type: 'ConversationStarted',
        data: { conversationId, clientId, userId, kind: 'direct' },
        metadata: { tenant: clientId },
      },
    ]);
    await store.appendToStream(stream, [posted(1, 'hello')]);
    await store.appendToStream(stream, [posted(2, 'still there?')]);
    gateway = await startTestGateway(db, nats, { ADMIN_KEY: ADMIN });
  });
  afterAll(async () => {
    await gateway.stop();
    await store.close();
    await sql.end();
    await nats.close();
    await db.drop();
  });

  const admin = (path: string, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) =>
    fetch(`${gateway.url}${path}`, { headers });

  it('refuses every inspection route without the admin key', async () => {
    for (const path of [
      `/admin/streams/conversation-${conversationId}/events`,
      `/admin/conversations/${conversationId}/state`,
      `/admin/conversations/${conversationId}/timeline`,
    ]) {
      expect((await admin(path, {})).status).toBe(401);
      expect((await admin(path, { authorization: 'Bearer nope' })).status).toBe(401);
    }
    expect(
      (await admin(`/admin/conversations/${conversationId}/state`, { 'x-bp-messaging-admin-key': ADMIN }))
        .status,
    ).toBe(200);
  });

  it("lists a stream's events from a revision", async () => {
    const res = await admin(`/admin/streams/conversation-${conversationId}/events?from=1&limit=1`);
    const body = (await res.json()) as {
      events: { type: string; revision: string; data: { sequence: number } }[];
    };
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ type: 'MessagePosted', revision: '1', data: { sequence: 1 } });
    expect((await admin(`/admin/streams/conversation-${randomUUID()}/events`)).status).toBe(404);
    expect((await admin('/admin/streams/not%20a%20stream/events')).status).toBe(400);
  });

  it('folds the state as of a revision, and names a bad position', async () => {
    const at = async (q: string) =>
      (await (await admin(`/admin/conversations/${conversationId}/state${q}`)).json()) as {
        revision: string | null;
        state: { lastSequence?: number; status: string };
      };
    expect(await at('?at=0')).toMatchObject({ revision: '0', state: { status: 'active', lastSequence: 0 } });
    expect(await at('?at=1')).toMatchObject({ revision: '1', state: { lastSequence: 1 } });
    expect(await at('')).toMatchObject({ revision: '2', state: { lastSequence: 2 } });
    expect(await at('?at=1970-01-01T00:00:00Z')).toMatchObject({ revision: null, state: { status: 'none' } });
    expect((await admin(`/admin/conversations/${conversationId}/state?at=yesterday`)).status).toBe(400);
    expect((await admin(`/admin/conversations/${randomUUID()}/state`)).status).toBe(404);
  });

  describe('timeline page in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('loads, shows the events on a timeline, and shows the state after the clicked one', async () => {
      const page = await browser.newPage();
      await page.goto(`${gateway.url}/admin/timeline/${conversationId}#key=${ADMIN}`);
      await expect.poll(() => page.locator('#events li').count()).toBe(3);
      expect(await page.locator('#axis .dot').count()).toBe(3);
      expect(await page.locator('#events li .type').allTextContents()).toEqual([
        'ConversationStarted',
        'MessagePosted',
        'MessagePosted',
      ]);
      await page.locator('#events li').nth(1).click();
      expect(JSON.parse((await page.locator('#state').textContent())!)).toMatchObject({ lastSequence: 1 });
      await page.locator('#axis .dot').nth(2).click();
      expect(JSON.parse((await page.locator('#state').textContent())!)).toMatchObject({ lastSequence: 2 });
      expect(await page.locator('#selected').textContent()).toBe('#2 MessagePosted');
    });

    it('asks for the key when it has none, and says when it is wrong', async () => {
      const page = await browser.newPage();
      await page.goto(`${gateway.url}/admin/timeline/${conversationId}`);
      await expect.poll(() => page.locator('#auth').isVisible()).toBe(true);
      await page.fill('#key', 'wrong');
      await page.click('#auth button');
      await expect.poll(() => page.locator('#error').textContent()).toMatch(/admin key/);
      expect(await page.locator('#events li').count()).toBe(0);
    });
  });
});
