import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { freePort, TestSystem } from './system.js';
import { WebhookReceiver } from './webhook-receiver.js';

const root = join(import.meta.dirname, '..', '..');
const SERVICES = ['command-handler', 'relay', 'projector', 'gateway', 'webhook-dispatcher'];

interface Synced {
  id: string;
  token: string;
  webhooks: { url: string; token: string }[];
}
interface Attempt {
  attempt: number;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  outcome: string;
  startedOn: string;
}
interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: Attempt[];
}

type Verify = (rawBody: string, header: string, token: string) => boolean;

/** The verification snippet of docs/webhooks.md, loaded exactly as written there. */
async function documentedVerifier(): Promise<Verify> {
  const doc = await readFile(join(root, 'docs', 'webhooks.md'), 'utf8');
  const match = /<!-- verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc);
  if (!match?.[1]) throw new Error('docs/webhooks.md has no verify snippet');
  const file = join(await mkdtemp(join(tmpdir(), 'sb-snippet-')), 'verify.mjs');
  await writeFile(file, match[1]);
  const module = (await import(pathToFileURL(file).href)) as { verifySwitchboardSignature: Verify };
  return module.verifySwitchboardSignature;
}

const textOf = (r: { body: { data: Record<string, unknown> } }) =>
  (r.body.data.message as { payload?: { text?: string } } | undefined)?.payload?.text;

describe('webhook deliveries end to end', () => {
  let system: TestSystem;
  let url: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    system = await TestSystem.start({
      services: SERVICES,
      env: {
        WEBHOOK_RETRY_WINDOW_MS: '2000',
        WEBHOOK_BACKOFF_INITIAL_MS: '50',
        WEBHOOK_BACKOFF_MAX_MS: '400',
        WEBHOOK_TIMEOUT_MS: '3000',
        WEBHOOK_MAX_IN_FLIGHT_PER_WEBHOOK: '2',
        WEBHOOK_LEASE_MARGIN_MS: '1000',
        WEBHOOK_POLL_INTERVAL_MS: '200',
      },
    });
    url = system.gatewayUrl;
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await system?.stop();
  });

  const receiver = async (answer?: WebhookReceiver['answer'], port?: number) => {
    const r = await WebhookReceiver.start(answer, port);
    receivers.push(r);
    return r;
  };
  const newClient = async (webhookUrls: string[]) => {
    const res = await http<Synced>(url, 'POST', '/api/v1/sync', {
      body: { webhooks: webhookUrls.map((u) => ({ url: u })) },
    });
    expect(res.status).toBe(200);
    return { ...res.body, headers: clientHeaders(res.body.id, res.body.token) };
  };
  const newConversation = async (headers: Record<string, string>) => {
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(url, 'POST', '/api/v1/conversations', { headers, body: { userId: user.id } })
    ).body;
    return { userId: user.id, conversationId: conv.id };
  };
  const post = async (
    headers: Record<string, string>,
    c: { userId: string; conversationId: string },
    text: string,
  ) => {
    const res = await http<{ id: string }>(url, 'POST', '/api/v1/messages', {
      headers,
      body: { conversationId: c.conversationId, authorId: c.userId, payload: { type: 'text', text } },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const deliveries = async (headers: Record<string, string>, status?: string) => {
    const res = await http<Delivery[]>(
      url,
      'GET',
      `/api/v1/webhooks/deliveries?limit=100${status ? `&status=${status}` : ''}`,
      { headers },
    );
    expect(res.status).toBe(200);
    return res.body;
  };
  const deliveryOf = async (
    headers: Record<string, string>,
    status: string,
    messageText: string,
    r: WebhookReceiver,
  ) => {
    const eventId = r.requests.find((q) => textOf(q) === messageText)?.body.id;
    if (!eventId) return undefined;
    return (await deliveries(headers, status)).find((d) => d.eventId === eventId);
  };

  it('retries a receiver that fails three times, then records one delivery with four attempts', async () => {
    let failures = 0;
    const r = await receiver((req) => {
      if (textOf(req) !== 'retry me') return { status: 200 };
      failures++;
      if (failures === 1) return { status: 503, headers: { 'retry-after': '1' } };
      return failures <= 3 ? { status: 500 } : { status: 200 };
    });
    const client = await newClient([r.url]);
    const c = await newConversation(client.headers);
    await post(client.headers, c, 'retry me');
    const delivered = await eventually(() => deliveryOf(client.headers, 'delivered', 'retry me', r), 20_000);
    expect(delivered.eventType).toBe('message.new');
    expect(delivered.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'retry'],
      [4, 200, 'delivered'],
    ]);
    for (const a of delivered.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    const [first, second] = delivered.attempts.map((a) => Date.parse(a.startedOn));
    expect(second! - first!).toBeGreaterThanOrEqual(1_000); // Retry-After: 1
    expect(r.requests.filter((q) => textOf(q) === 'retry me')).toHaveLength(4);
  });

  it('fails a delivery answered 400 without retrying it, and goes on with the conversation', async () => {
    const r = await receiver((req) => (textOf(req) === 'refused' ? { status: 400 } : { status: 200 }));
    const client = await newClient([r.url]);
    const c = await newConversation(client.headers);
    await post(client.headers, c, 'refused');
    await post(client.headers, c, 'next');
    // The next message of the same conversation goes only once the refused one is finished.
    await eventually(async () => (r.requests.some((q) => textOf(q) === 'next') ? true : undefined), 20_000);
    // A delivery finished from memory is written just after its answer, not before the next one goes.
    const failed = await eventually(() => deliveryOf(client.headers, 'failed', 'refused', r), 5_000);
    expect(failed?.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([[1, 400, 'failed']]);
    expect(r.requests.filter((q) => textOf(q) === 'refused')).toHaveLength(1);
    expect((await deliveries(client.headers, 'failed')).every((d) => d.status === 'failed')).toBe(true);
  });

  it('dead-letters deliveries to a receiver down for the whole window, and delivers them when re-driven', async () => {
    const port = await freePort();
    const downUrl = `http://127.0.0.1:${port}/webhook`;
    const client = await newClient([downUrl]);
    const c = await newConversation(client.headers);
    await post(client.headers, c, 'while down');
    // All three of the client's events die, each on its own backoff: wait for every one, or a late one
    // would be re-driven in a count the snapshot does not hold.
    const dead = await eventually(async () => {
      const found = await deliveries(client.headers, 'dead');
      return found.length === 3 ? found : undefined;
    }, 20_000);
    for (const d of dead) {
      expect(d.attempts.at(-1)).toMatchObject({
        outcome: 'dead',
        error: expect.stringMatching(/ECONNREFUSED/),
      });
      expect(d.attempts.every((a) => a.statusCode === undefined)).toBe(true);
    }
    // The head of the conversation's queue was retried over the window. The message behind it waited
    // for it, in order, and may have had its first attempt only once its own window was over: one
    // attempt, then dead, which is why this is not asked of it.
    const started = dead.find((d) => d.eventType === 'conversation.started')!;
    expect(started.attempts.length).toBeGreaterThanOrEqual(2);
    const message = dead.find((d) => d.eventType === 'message.new')!;

    const r = await receiver(undefined, port);
    const cli = spawn(
      process.execPath,
      [
        join(root, 'services', 'cli', 'bin', 'switchboard.js'),
        'dlq',
        'redrive',
        '--webhook',
        message.webhookId,
      ],
      { env: { ...process.env, DATABASE_URL: system.db.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stdout.on('data', (c: Buffer) => (output += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`re-driven: ${dead.length} `));

    await eventually(async () => {
      const delivered = await deliveries(client.headers, 'delivered');
      return delivered.length === dead.length ? delivered : undefined;
    }, 20_000);
    expect(
      r
        .unique()
        .map((q) => q.body.type)
        .sort(),
    ).toEqual(['conversation.started', 'message.new', 'user.new']);
    expect(await deliveries(client.headers, 'dead')).toEqual([]);
  });

  it("keeps delivering a second client's events while the first one's webhook hangs", async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const slow = await newClient([hanging.url]);
    const fine = await newClient([healthy.url]);
    const slowConvs = [];
    for (let i = 0; i < 3; i++) slowConvs.push(await newConversation(slow.headers));
    for (const c of slowConvs) await post(slow.headers, c, 'stuck');
    await eventually(async () => (hanging.hanging >= 2 ? true : undefined));

    const c = await newConversation(fine.headers);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      await post(fine.headers, c, `fine ${i}`);
      sent.push(`fine ${i}`);
    }
    await eventually(async () => {
      const got = healthy.requests.filter((q) => q.body.type === 'message.new').map(textOf);
      return got.length === sent.length ? got : undefined;
    });
    // Delivered while the hanging attempts still hang: none has timed out yet (each request it got is
    // still open), so no healthy delivery waited for a hanging one's slot.
    expect(hanging.requests.length).toBe(hanging.hanging);
    expect(hanging.hanging).toBeGreaterThan(0);
    expect(hanging.hanging).toBeLessThanOrEqual(2); // its per-webhook share, no more
    expect(healthy.requests.filter((q) => q.body.type === 'message.new').map(textOf)).toEqual(sent);
  });

  it('signs every delivery so that the documented snippet verifies it, and rejects a tampered body', async () => {
    const verify = await documentedVerifier();
    const r = await receiver();
    const client = await newClient([r.url]);
    const token = client.webhooks[0]!.token;
    const c = await newConversation(client.headers);
    const messageId = await post(client.headers, c, 'signed');
    const got = await eventually(async () => r.requests.find((q) => textOf(q) === 'signed'));

    const header = String(got.headers['x-switchboard-signature']);
    expect(header).toMatch(new RegExp(`^t=${got.headers['x-switchboard-timestamp']},v1=[0-9a-f]{64}$`));
    expect(got.headers['x-switchboard-event-id']).toBe(got.body.id);
    expect(got.headers['x-bp-messaging-client-id']).toBe(client.id);
    expect(got.headers['x-bp-messaging-webhook-token']).toBe(token);
    expect(got.body.data).toMatchObject({
      userId: c.userId,
      conversationId: c.conversationId,
      channel: 'api',
      message: { id: messageId, authorId: c.userId, payload: { type: 'text', text: 'signed' } },
    });

    expect(verify(got.rawBody, header, token)).toBe(true);
    expect(verify(got.rawBody.replace('"signed"', '"forged"'), header, token)).toBe(false);
    expect(verify(got.rawBody, header, `${token}x`)).toBe(false);
    expect(
      verify(
        got.rawBody,
        header.replace(/t=\d+/, (t) => `t=${Number(t.slice(2)) - 1}`),
        token,
      ),
    ).toBe(false);
  });

  it("lists only the calling client's deliveries", async () => {
    const r = await receiver();
    const a = await newClient([r.url]);
    const b = await newClient([r.url]);
    await newConversation(a.headers);
    await newConversation(b.headers);
    const done = async (headers: Record<string, string>) =>
      (await deliveries(headers, 'delivered')).length === 2 ? true : undefined;
    await eventually(async () => ((await done(a.headers)) && (await done(b.headers))) || undefined);
    const ofA = await deliveries(a.headers);
    const ofB = await deliveries(b.headers);
    expect(ofA).toHaveLength(2);
    expect(ofB).toHaveLength(2);
    const hooksOfA = new Set(ofA.map((d) => d.webhookId));
    expect(ofB.some((d) => hooksOfA.has(d.webhookId))).toBe(false);
    expect(new Set([...ofA, ...ofB].map((d) => d.id)).size).toBe(4);
    const unauthenticated = await http(url, 'GET', '/api/v1/webhooks/deliveries', {
      headers: clientHeaders(a.id, randomUUID()),
    });
    expect(unauthenticated.status).toBe(401);
  });
});
