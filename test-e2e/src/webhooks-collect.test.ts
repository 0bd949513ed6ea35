import { Schemas } from '@botpress/messaging-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';
import { type ReceivedWebhook, WebhookReceiver } from './webhook-receiver.js';

interface Synced {
  id: string;
  token: string;
}
interface Msg {
  id: string;
  conversationId: string;
  authorId?: string;
  payload: { type: string; text?: string };
}
interface MessageNew {
  userId: string;
  conversationId: string;
  channel: string;
  collect?: boolean;
  message: { id: string; conversationId: string; authorId?: string; payload: { text?: string } };
}

/** What the bot does with a collected message: answer it (how many times), and end the turn or not. */
type Behaviour = { answers: number; endTurn: boolean };

describe('messages/collect with a bot behind a webhook', () => {
  let system: TestSystem;
  let url: string;
  let bot: WebhookReceiver;
  let headers: Record<string, string>;
  const behaviours = new Map<string, Behaviour>();
  /** Anything the bot found wrong: events the published receiver would refuse, answers refused. */
  const invalid: string[] = [];

  /** The bot: checks each event against the published receiver's schemas, answers collected messages. */
  const handle = async (req: ReceivedWebhook) => {
    const schema = {
      'message.new': Schemas.MessageNew,
      'conversation.started': Schemas.ConversationStarted,
      'user.new': Schemas.UserNew,
    }[req.body.type];
    const { error } = schema?.validate(req.body.data) ?? {};
    if (error) invalid.push(`${req.body.type}: ${error.message}`);
    if (req.body.type !== 'message.new') return;
    const data = req.body.data as unknown as MessageNew;
    const behaviour = data.collect ? behaviours.get(data.message.payload.text ?? '') : undefined;
    if (!behaviour) return;
    for (let i = 1; i <= behaviour.answers; i++) {
      const res = await http(url, 'POST', '/api/v1/messages', {
        headers,
        body: {
          conversationId: data.conversationId,
          payload: { type: 'text', text: `answer ${i} to ${data.message.payload.text}` },
          incomingId: data.message.id,
        },
      });
      if (res.status !== 201) invalid.push(`the bot's answer was refused: ${res.status}`);
    }
    if (behaviour.endTurn) await http(url, 'POST', `/api/v1/messages/turn/${data.message.id}`, { headers });
  };

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['command-handler', 'relay', 'projector', 'gateway', 'webhook-dispatcher'],
    });
    url = system.gatewayUrl;
    // The bot answers its webhook at once and works afterwards, as a real one would.
    bot = await WebhookReceiver.start((req) => {
      void handle(req);
      return { status: 200 };
    });
    const synced = (
      await http<Synced>(url, 'POST', '/api/v1/sync', { body: { webhooks: [{ url: bot.url }] } })
    ).body;
    headers = clientHeaders(synced.id, synced.token);
  });
  afterAll(async () => {
    await bot?.close();
    await system?.stop();
  });

  const conversation = async () => {
    const user = (await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers })).body;
    const conv = (
      await http<{ id: string }>(url, 'POST', '/api/v1/conversations', { headers, body: { userId: user.id } })
    ).body;
    return { userId: user.id, conversationId: conv.id };
  };
  const collect = async (c: { userId: string; conversationId: string }, text: string, timeout: number) => {
    const startedAt = Date.now();
    const res = await http<Msg[]>(url, 'POST', '/api/v1/messages/collect', {
      headers,
      body: {
        conversationId: c.conversationId,
        authorId: c.userId,
        payload: { type: 'text', text },
        timeout,
      },
    });
    return { ...res, elapsedMs: Date.now() - startedAt };
  };

  it('hands the bot message.new with collect: true, and returns its answer once it ends the turn', async () => {
    behaviours.set('hello bot', { answers: 1, endTurn: true });
    const c = await conversation();
    const res = await collect(c, 'hello bot', 10_000);
    expect(res.status).toBe(200);
    expect(res.body.map((m) => m.payload.text)).toEqual(['answer 1 to hello bot']);
    expect(res.body[0]).not.toHaveProperty('authorId');
    expect(res.elapsedMs).toBeLessThan(10_000);

    const seen = await eventually(async () =>
      bot.requests.find(
        (r) =>
          r.body.type === 'message.new' &&
          (r.body.data as unknown as MessageNew).conversationId === c.conversationId,
      ),
    );
    expect(seen.body.data).toMatchObject({
      userId: c.userId,
      conversationId: c.conversationId,
      channel: 'api',
      collect: true,
      message: { authorId: c.userId, payload: { type: 'text', text: 'hello bot' } },
    });
    // The answer reaches the webhook as the bot's own message, not as a new message to answer.
    const answer = await eventually(async () =>
      bot.requests.find(
        (r) => r.body.type === 'message.sent' && r.body.data.conversationId === c.conversationId,
      ),
    );
    expect(answer.body.data.message).toMatchObject({
      id: res.body[0]!.id,
      incomingId: (seen.body.data as unknown as MessageNew).message.id,
    });
  });

  it('returns what the bot answered so far when the timeout passes', async () => {
    behaviours.set('slow turn', { answers: 2, endTurn: false });
    const c = await conversation();
    const res = await collect(c, 'slow turn', 2_500);
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(2_500);
    expect(res.body.map((m) => m.payload.text)).toEqual(['answer 1 to slow turn', 'answer 2 to slow turn']);
  });

  it('returns nothing when the bot does not answer in time', async () => {
    const c = await conversation();
    const res = await collect(c, 'nobody home', 1_000);
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(1_000);
    expect(res.body).toEqual([]);
    // It was delivered all the same, with collect: true.
    await eventually(async () =>
      bot.requests.find(
        (r) =>
          r.body.type === 'message.new' &&
          r.body.data.conversationId === c.conversationId &&
          r.body.data.collect === true,
      ),
    );
  });

  it('sent only events the published receiver accepts, and took every answer', () => {
    expect(bot.requests.length).toBeGreaterThan(0);
    expect(invalid).toEqual([]);
  });
});
