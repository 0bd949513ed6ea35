import { MessagingChannel, MessagingClient } from '@botpress/messaging-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from './system.js';

// The published @botpress/messaging-client, unchanged, against the whole stack.
describe('Botpress Messaging client against Switchboard', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('creates a client through the admin route and checks its credentials', async () => {
    const channel = new MessagingChannel({ url: system.gatewayUrl, adminKey: 'e2e-admin-key' });
    const { id, token } = await channel.createClient();
    channel.start(id, { clientToken: token });
    expect(await channel.getClient(id)).toBe(true);
    channel.start(id, { clientToken: 'wrong' });
    expect(await channel.getClient(id)).toBe(false);
  });

  it('runs a whole conversation: sync, users, conversations, messages, endpoints', async () => {
    const channel = new MessagingChannel({ url: system.gatewayUrl, adminKey: 'e2e-admin-key' });
    const { id, token } = await channel.createClient();
    const client = new MessagingClient({ url: system.gatewayUrl, clientId: id, clientToken: token });

    const first = await client.sync({ webhooks: [{ url: 'http://127.0.0.1:9/hook' }] });
    expect(first.webhooks).toEqual([{ url: 'http://127.0.0.1:9/hook', token: expect.any(String) }]);
    const again = await client.sync({ webhooks: [{ url: 'http://127.0.0.1:9/hook' }] });
    expect(again.webhooks[0]!.token).toBe(first.webhooks[0]!.token);

    const user = await client.createUser();
    expect(user).toEqual({ id: expect.any(String), clientId: id });
    expect(await client.getUser(user.id)).toEqual(user);

    const conversation = await client.createConversation(user.id);
    expect(conversation).toMatchObject({ clientId: id, userId: user.id });
    expect(await client.getConversation(conversation.id)).toEqual(conversation);
    const newer = await client.createConversation(user.id);
    const listed = await client.listConversations(user.id, 10);
    expect(listed.map((c) => c.id)).toEqual([newer.id, conversation.id]);

    const hello = await client.createMessage(conversation.id, user.id, { type: 'text', text: 'hello' });
    expect(hello).toMatchObject({
      conversationId: conversation.id,
      authorId: user.id,
      payload: { type: 'text', text: 'hello' },
    });
    expect(hello.sentOn).toBeInstanceOf(Date);
    const answer = await client.createMessage(conversation.id, undefined, {
      type: 'text',
      text: 'hi, how can I help?',
    });
    expect(answer.authorId).toBeUndefined();
    expect(await client.getMessage(hello.id)).toEqual(hello);

    // A message posted to a conversation makes it the most recently active one.
    expect((await client.listConversations(user.id)).map((c) => c.id)).toEqual([conversation.id, newer.id]);

    const messages = await client.listMessages(conversation.id, 10);
    expect(messages.map((m) => m.id)).toEqual([answer.id, hello.id]);
    expect((await client.listMessages(conversation.id, 1)).map((m) => m.id)).toEqual([answer.id]);

    expect(await client.deleteMessage(hello.id)).toBe(true);
    expect(await client.getMessage(hello.id)).toBeUndefined();
    expect(await client.deleteMessage(hello.id)).toBe(false);

    for (const text of ['one', 'two', 'three']) {
      await client.createMessage(conversation.id, user.id, { type: 'text', text });
    }
    expect(await client.deleteMessagesByConversation(conversation.id)).toBe(4);
    expect(await client.listMessages(conversation.id)).toEqual([]);

    const endpoint = {
      channel: { name: 'telegram', version: '1.0.0' },
      identity: '*',
      sender: '4242',
      thread: '4242',
    };
    const mapped = await client.mapEndpoint(endpoint);
    expect(await client.mapEndpoint(endpoint)).toBe(mapped);
    expect(await client.mapEndpoint({ ...endpoint, thread: 'other' })).not.toBe(mapped);
    expect(await client.listEndpoints(mapped)).toEqual([endpoint]);
    const mappedConversation = await client.getConversation(mapped);
    expect(mappedConversation).toMatchObject({ id: mapped, clientId: id });
    expect(await client.getUser(mappedConversation!.userId)).toEqual({
      id: mappedConversation!.userId,
      clientId: id,
    });
  });

  it('maps one endpoint to one conversation under concurrent first contact', async () => {
    const channel = new MessagingChannel({ url: system.gatewayUrl, adminKey: 'e2e-admin-key' });
    const { id, token } = await channel.createClient();
    const client = new MessagingClient({ url: system.gatewayUrl, clientId: id, clientToken: token });
    const endpoint = {
      channel: { name: 'slack', version: '1.0.0' },
      identity: '*',
      sender: 'U1',
      thread: 'C1',
    };
    const ids = await Promise.all(Array.from({ length: 8 }, () => client.mapEndpoint(endpoint)));
    expect(new Set(ids).size).toBe(1);
    expect(await client.listEndpoints(ids[0]!)).toEqual([endpoint]);
  });
});
