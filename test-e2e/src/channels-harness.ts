import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adapterFor } from '@switchboard/channel-registry';
import { type ChannelAddress, endpointIds, type Payload, type ProviderRequest } from '@switchboard/contracts';
import type { RecordedRequest } from '@switchboard/testkit';
import { expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import type { TestSystem } from './system.js';
import type { WebhookReceiver } from './webhook-receiver.js';

/**
 * The end-to-end checks every channel goes through, against the whole stack (gateway, command handler,
 * relay, projector, webhook dispatcher, `connector-<channel>`) and the channel's fake provider. A
 * `ChannelCase` says how one provider signs, addresses and records things; `channelScenarios` runs the
 * same scenarios for each.
 */

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** What a fake recorded that the adapter rendered: path (no query) and body, to compare. */
export interface SentShape {
  path: string;
  body: unknown;
}

export interface ChannelCase {
  channel: string;
  /** The client's configuration of the channel, as sent to sync. */
  config: Record<string, unknown>;
  /** Environment of `connector-<channel>` (the provider's base URL). */
  connectorEnv: Record<string, string>;
  /** The n-th test person's address on the channel. */
  person(n: number): ChannelAddress;
  /** A signed webhook with a text message from a person; absent for channels without inbound. */
  inbound?(person: ChannelAddress, text: string, url: string): SignedRequest;
  /** The same webhook made invalid: a changed body, or a wrong secret where only a secret is checked. */
  tamper?(webhook: SignedRequest, url: string): SignedRequest;
  /** The header(s) carrying the signature, to send a webhook unsigned. */
  signatureHeaders?: string[];
  /** The provider's accepted sends, in order, as comparable shapes. */
  sent(): SentShape[];
  /** Every request the fake received (accepted or not), for timing retries. */
  requestCount(): number;
  waitForRequests(count: number, timeoutMs: number): Promise<unknown>;
  failNext(failure: { status: number; retryAfterSeconds?: number }): void;
  /** A scripted refusal (400, or SMTP 550) and how the adapter reads it, in the provider's words. */
  refusal: { status: number; reason: string };
  /**
   * A scripted transient failure: 429 with Retry-After, checked to be waited for; or (e-mail, whose
   * 451 carries no delay and whose fake records only accepted mails) just tried again until sent.
   */
  rateLimit?: { status: number; timed: false };
  /** A signed status callback saying the provider delivered a message we sent. */
  deliveredCallback?(providerMessageId: string, url: string): SignedRequest;
  /** What the fake records of a typing indicator (channels that have one). */
  typingShown?(): number;
  /** What the fake records of an indicator's end (channels that can end one). */
  typingEnded?(): number;
  /** The rendered request as the fake records it (e-mail: the mail). */
  shapeOf?(request: ProviderRequest): SentShape;
}

export interface Harness {
  system: TestSystem;
  receiver: WebhookReceiver | undefined;
  mediaBase: string;
}

export interface DeliveryView {
  channel: string;
  status: string;
  providerMessageId?: string;
  providerMessageIds?: string[];
  reason?: string;
}

interface MessageView {
  id: string;
  authorId?: string;
  payload: Record<string, unknown>;
  deliveries?: DeliveryView[];
}

/** Every payload type, media at `base` (the e-mail connector fetches attachments by URL). */
export function everyPayload(base: string): Payload[] {
  const card = {
    title: 'Shoe',
    subtitle: 'Red, size 42',
    image: `${base}/shoe.png`,
    actions: [
      { action: 'Open URL', title: 'Shop', url: 'https://example.com/shop' },
      { action: 'Postback', title: 'Buy', payload: 'BUY' },
      { action: 'Say something', title: 'Hi', text: 'hi' },
    ],
  };
  return [
    { type: 'text', text: 'Hello there' },
    { type: 'image', image: `${base}/photo.png`, title: 'Photo' },
    { type: 'audio', audio: `${base}/song.mp3`, title: 'Song' },
    { type: 'voice', audio: `${base}/note.ogg` },
    { type: 'video', video: `${base}/clip.mp4`, title: 'Clip' },
    { type: 'file', file: `${base}/invoice.pdf`, title: 'Invoice' },
    { type: 'location', latitude: 48.8584, longitude: 2.2945, title: 'Tower', address: 'Paris' },
    { type: 'card', ...card },
    { type: 'carousel', items: [card, { ...card, title: 'Hat' }] },
    {
      type: 'single-choice',
      text: 'Pick a colour',
      choices: [
        { title: 'Red', value: 'RED' },
        { title: 'Blue', value: 'BLUE' },
      ],
    },
    {
      type: 'dropdown',
      message: 'Pick a size',
      options: [
        { label: 'Small', value: 's' },
        { label: 'Large', value: 'l' },
      ],
    },
  ];
}

/** A static file server for the payloads' media (what a CDN would be). */
export async function startMediaServer(): Promise<{ base: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(`media ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A recorded JSON or form request as a comparable shape. */
export function recordedShape(request: RecordedRequest): SentShape {
  return { path: request.path, body: request.json ?? request.form ?? request.body };
}

/** A rendered request as the fake would record it. */
export function renderedShape(request: ProviderRequest): SentShape {
  return { path: request.path.split('?')[0] ?? request.path, body: request.body?.value };
}

/** Starts `connector-<channel>` as its own process, with fast retries so the suite stays short. */
export function startConnector(system: TestSystem, c: ChannelCase): Promise<void> {
  return system.startService(
    `connector-${c.channel}`,
    {
      CHANNEL: c.channel,
      RETRY_INITIAL_MS: '200',
      RETRY_MAX_MS: '5000',
      SEND_ATTEMPTS: '4',
      PROVIDER_TIMEOUT_MS: '5000',
      RATE_PER_CHAT_PER_SECOND: '0',
      RATE_PER_BOT_PER_SECOND: '0',
      ...c.connectorEnv,
    },
    { service: 'connector' },
  );
}

/** The scenarios of one channel; call inside a `describe`. */
export function channelScenarios(h: () => Harness, c: ChannelCase): void {
  let clientId = '';
  let token = '';
  let conversationId = '';
  const gateway = () => h().system.gatewayUrl;
  const webhookUrl = () => `${gateway()}/webhooks/${clientId}/${c.channel}`;
  const headers = () => clientHeaders(clientId, token);
  const ids = (person: ChannelAddress) =>
    endpointIds(clientId, { channel: c.channel, version: '1.0.0', ...person });

  const post = (request: SignedRequest, url = webhookUrl()) =>
    fetch(url, { method: 'POST', headers: request.headers, body: request.body });

  const messages = async (conversation: string) => {
    const res = await http<MessageView[]>(
      gateway(),
      'GET',
      `/api/v1/messages/conversation/${conversation}?limit=100`,
      { headers: headers() },
    );
    return res.status === 200 ? res.body : undefined;
  };

  const botSays = async (payload: Payload): Promise<string> => {
    const res = await http<{ id: string }>(gateway(), 'POST', '/api/v1/messages', {
      headers: headers(),
      body: { conversationId, payload },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };

  /** The message's delivery once it is no longer queued. */
  const settled = (messageId: string, timeoutMs = 15_000) =>
    eventually(async () => {
      const res = await http<MessageView>(gateway(), 'GET', `/api/v1/messages/${messageId}`, {
        headers: headers(),
      });
      const delivery = res.body.deliveries?.find((d) => d.channel === c.channel);
      return delivery && delivery.status !== 'queued' ? delivery : undefined;
    }, timeoutMs);

  /** The INBOX stream's last sequence number: anything stored moves it. */
  const inboxLastSequence = async () => {
    const { system } = h();
    const stream = `${system.nats.namespace.toUpperCase()}_INBOX`;
    const reply = await system.nats.nc.request(`$JS.API.STREAM.INFO.${stream}`, undefined, {
      timeout: 2_000,
    });
    return (JSON.parse(new TextDecoder().decode(reply.data)) as { state: { last_seq: number } }).state
      .last_seq;
  };

  it('is configured through sync', async () => {
    const receiver = h().receiver;
    const res = await http<{ id: string; token: string }>(gateway(), 'POST', '/api/v1/sync', {
      body: {
        channels: { [c.channel]: { enabled: true, ...c.config } },
        webhooks: receiver ? [{ url: receiver.url }] : [],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ({ id: clientId, token } = res.body);
  });

  if (c.inbound) {
    const inbound = c.inbound.bind(c);

    it('turns a signed inbound webhook into a user, a conversation and a message', async () => {
      const person = c.person(1);
      const answer = await post(inbound(person, `hello from ${c.channel}`, webhookUrl()));
      expect(answer.status, await answer.text()).toBeLessThan(300);
      const { userId, conversationId: created } = ids(person);
      const stored = await eventually(async () => {
        const list = await messages(created);
        return list?.find((m) => m.payload.text === `hello from ${c.channel}`);
      });
      expect(stored.authorId).toBe(userId);
      const user = await http(gateway(), 'GET', `/api/v1/users/${userId}`, { headers: headers() });
      expect(user.status).toBe(200);
      // Mapping the same endpoint finds the conversation the message created.
      const mapped = await http<{ conversationId: string }>(gateway(), 'POST', '/api/v1/endpoints/map', {
        headers: headers(),
        body: { channel: c.channel, ...person },
      });
      expect(mapped.body.conversationId).toBe(created);
      conversationId = created;

      const receiver = h().receiver;
      if (receiver) {
        const hook = await eventually(async () =>
          receiver.requests.find(
            (r) =>
              r.body.type === 'message.new' &&
              (r.body.data.message as { payload?: { text?: string } }).payload?.text ===
                `hello from ${c.channel}`,
          ),
        );
        expect(hook.body.data).toMatchObject({ conversationId: created, userId, channel: c.channel });
      }
    });

    it('refuses a tampered or unsigned webhook, and stores nothing of it', async () => {
      const before = await inboxLastSequence();
      const stranger = c.person(9);
      const genuine = inbound(stranger, 'should never arrive', webhookUrl());
      // The text changed after signing (JSON and form bodies alike carry the word as it is).
      const tampered = c.tamper?.(genuine, webhookUrl()) ?? {
        ...genuine,
        body: genuine.body.replace('never', 'NEVER'),
      };
      expect(tampered.body === genuine.body && c.tamper === undefined).toBe(false);
      const unsigned = {
        ...genuine,
        headers: Object.fromEntries(
          Object.entries(genuine.headers).filter(
            ([name]) => !c.signatureHeaders?.includes(name.toLowerCase()),
          ),
        ),
      };
      for (const request of [tampered, unsigned]) {
        const answer = await post(request);
        expect([401, 403]).toContain(answer.status);
      }
      // A valid webhook after them is stored: had the invalid ones been, they would be before it.
      const barrier = c.person(3);
      expect((await post(inbound(barrier, 'barrier', webhookUrl()))).status).toBeLessThan(300);
      await eventually(async () =>
        (await messages(ids(barrier).conversationId))?.length ? true : undefined,
      );
      expect(await inboxLastSequence()).toBe(before + 1);
      const user = await http(gateway(), 'GET', `/api/v1/users/${ids(stranger).userId}`, {
        headers: headers(),
      });
      expect(user.status).toBe(404);
    });

    it('stores a duplicate provider webhook (same event id) once', async () => {
      const person = c.person(2);
      const webhook = inbound(person, 'said once', webhookUrl());
      for (let i = 0; i < 3; i++) expect((await post(webhook)).status).toBeLessThan(300);
      expect((await post(inbound(person, 'said after', webhookUrl()))).status).toBeLessThan(300);
      const list = await eventually(async () => {
        const found = await messages(ids(person).conversationId);
        return found?.some((m) => m.payload.text === 'said after') ? found : undefined;
      });
      expect(list.filter((m) => m.payload.text === 'said once')).toHaveLength(1);
    });
  } else {
    it('has no inbound webhook', async () => {
      const res = await fetch(webhookUrl(), {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect([401, 403]).toContain(res.status);
      const mapped = await http<{ conversationId: string }>(gateway(), 'POST', '/api/v1/endpoints/map', {
        headers: headers(),
        body: { channel: c.channel, ...c.person(1) },
      });
      conversationId = mapped.body.conversationId;
      expect(conversationId).toBe(ids(c.person(1)).conversationId);
    });
  }

  it("sends the bot's reply of every payload type as the provider expects it", async () => {
    const adapter = adapterFor(c.channel);
    if (!adapter) throw new Error(`no adapter ${c.channel}`);
    const payloads = everyPayload(h().mediaBase);
    const before = c.sent().length;
    const sentIds: string[] = [];
    for (const payload of payloads) sentIds.push(await botSays(payload));
    for (const id of sentIds) expect(await settled(id), id).toMatchObject({ status: 'sent' });
    const shape = c.shapeOf ?? renderedShape;
    const expected = payloads.flatMap((payload) => adapter.render(payload, c.person(1), c.config).map(shape));
    expect(c.sent().slice(before)).toEqual(expected);
  });

  if (c.rateLimit) {
    const { status } = c.rateLimit;
    it(`retries a transient ${status} refusal until the message goes out`, async () => {
      const before = c.sent().length;
      c.failNext({ status });
      const id = await botSays({ type: 'text', text: 'after a refusal' });
      expect(await settled(id)).toMatchObject({ status: 'sent' });
      expect(c.sent().length).toBe(before + 1);
    });
  } else {
    it('retries a 429 after the Retry-After the provider gave', async () => {
      const count = c.requestCount();
      c.failNext({ status: 429, retryAfterSeconds: 1 });
      const id = await botSays({ type: 'text', text: 'after a pause' });
      await c.waitForRequests(count + 1, 10_000);
      const refusedAt = Date.now();
      await c.waitForRequests(count + 2, 10_000);
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(800);
      expect(await settled(id)).toMatchObject({ status: 'sent' });
    });
  }

  it('marks the delivery failed with the provider’s reason on a 400, and shows it in health', async () => {
    c.failNext({ status: c.refusal.status });
    const id = await botSays({ type: 'text', text: 'refused' });
    const delivery = await settled(id);
    expect(delivery).toMatchObject({ status: 'failed' });
    expect(delivery.reason).toContain(c.refusal.reason);
    const health = await eventually(async () => {
      const res = await http<{
        channels: Record<string, { events: { type: string; data?: { error?: string } }[] }>;
      }>(gateway(), 'GET', '/api/v1/health', { headers: headers() });
      const events = res.body.channels[c.channel]?.events ?? [];
      return events.some((e) => e.type === 'start-failure') && events.some((e) => e.type === 'start')
        ? events
        : undefined;
    });
    expect(health.find((e) => e.type === 'start-failure')?.data?.error).toContain(c.refusal.reason);
  });

  if (c.inbound) {
    const inbound = c.inbound.bind(c);
    it('maps a numbered reply to the choice the bot offered', async () => {
      const offer = await botSays({
        type: 'single-choice',
        text: 'Which one?',
        choices: [
          { title: 'Red', value: 'RED' },
          { title: 'Blue', value: 'BLUE' },
        ],
      });
      await settled(offer);
      expect((await post(inbound(c.person(1), ' 2 ', webhookUrl()))).status).toBeLessThan(300);
      const reply = await eventually(async () => {
        const list = await messages(conversationId);
        return list?.find((m) => m.payload.value === 'BLUE');
      });
      expect(reply.payload).toMatchObject({ type: 'text', text: 'Blue', value: 'BLUE' });
    });
  }

  if (c.deliveredCallback) {
    const callback = c.deliveredCallback.bind(c);
    it('records the provider’s delivered status callback on the delivery', async () => {
      const id = await botSays({ type: 'text', text: 'tell me when it arrives' });
      const sent = await settled(id);
      expect(sent.providerMessageId).toBeTruthy();
      const answer = await post(callback(sent.providerMessageId ?? '', webhookUrl()));
      expect(answer.status).toBeLessThan(300);
      await eventually(async () => {
        const res = await http<MessageView>(gateway(), 'GET', `/api/v1/messages/${id}`, {
          headers: headers(),
        });
        return res.body.deliveries?.[0]?.status === 'delivered' ? true : undefined;
      });
    });
  }

  if (c.deliveredCallback) {
    const callback = c.deliveredCallback.bind(c);
    it('records every provider id of a message sent in several requests, and a callback for any of them', async () => {
      const adapter = adapterFor(c.channel);
      const several = everyPayload(h().mediaBase).find(
        (payload) => (adapter?.render(payload, c.person(1), c.config).length ?? 0) > 1,
      );
      if (!several) throw new Error(`${c.channel} renders no payload as several requests`);
      const parts = adapter?.render(several, c.person(1), c.config).length ?? 0;
      const id = await botSays(several);
      const sent = await settled(id);
      expect(sent.status).toBe('sent');
      expect(sent.providerMessageIds).toHaveLength(parts);
      expect(new Set(sent.providerMessageIds).size).toBe(parts);
      expect(sent.providerMessageId).toBe(sent.providerMessageIds?.[0]);
      const last = sent.providerMessageIds?.at(-1) ?? '';
      expect((await post(callback(last, webhookUrl()))).status).toBeLessThan(300);
      await eventually(async () => {
        const res = await http<MessageView>(gateway(), 'GET', `/api/v1/messages/${id}`, {
          headers: headers(),
        });
        return res.body.deliveries?.[0]?.status === 'delivered' ? true : undefined;
      });
    });
  }

  /** The bot says it is typing, the Botpress way; answered like a message, stored as none. */
  const botTypes = async (value: boolean) => {
    const res = await http<{ id: string; conversationId: string; payload: unknown }>(
      gateway(),
      'POST',
      '/api/v1/messages',
      { headers: headers(), body: { conversationId, payload: { type: 'typing', value } } },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ conversationId, payload: { type: 'typing', value } });
    const stored = await http(gateway(), 'GET', `/api/v1/messages/${res.body.id}`, { headers: headers() });
    expect(stored.status).toBe(404);
    return res.body.id;
  };

  if (c.typingShown) {
    const shown = c.typingShown.bind(c);
    it("shows the bot's typing payload on the channel, without storing it as a message", async () => {
      const before = shown();
      await botTypes(true);
      await eventually(async () => (shown() > before ? true : undefined));
      expect((await messages(conversationId))?.some((m) => m.payload.type === 'typing')).toBe(false);
    });

    it('shows the indicator for a message that says it is typed, then the message', async () => {
      const before = { shown: shown(), sent: c.sent().length };
      const payload = { type: 'text', text: 'typed for you', typing: true };
      const id = await botSays(payload);
      expect(await settled(id)).toMatchObject({ status: 'sent' });
      await eventually(async () => (shown() > before.shown ? true : undefined));
      const [text] = adapterFor(c.channel)?.render(payload, c.person(1), c.config) ?? [];
      expect(text).toBeDefined();
      expect(c.sent().slice(before.sent)).toContainEqual(
        (c.shapeOf ?? renderedShape)(text as ProviderRequest),
      );
    });
  } else {
    it('answers a typing payload and sends nothing to a provider without an indicator', async () => {
      const before = c.requestCount();
      await botTypes(true);
      // A typing call would come first: the signal takes core NATS, the message the event store.
      const id = await botSays({ type: 'text', text: 'no indicator here' });
      expect(await settled(id)).toMatchObject({ status: 'sent' });
      expect(c.requestCount()).toBe(before + 1);
    });
  }

  if (c.typingEnded) {
    const ended = c.typingEnded.bind(c);
    it('ends the indicator when the bot says it stopped typing', async () => {
      const before = ended();
      await botTypes(false);
      await eventually(async () => (ended() > before ? true : undefined));
    });
  }
}
