import { type EventType, eventSchemas, eventUpcasters } from '@switchboard/contracts';
import { parseRelayedEvent, type RelayedEvent } from '@switchboard/event-store';
import { describe, expect, it } from 'vitest';
import { deliveryRule, renderWebhookEvent, webhookBody } from './webhook-events.js';

const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';
const userId = '1c6f2b4d-9e30-4d58-8b72-3e2a8f0c4d61';
const conversationId = '2d703c5e-af41-4e69-9c83-4b3f90bd5e72';
const messageId = '3e814d6f-b052-4f7a-8d94-5c40a1ce6f83';
const conversation = { userId, channel: 'telegram' };

const relayed = (type: string, data: unknown): RelayedEvent => ({
  id: '9f0e1d2c-3b4a-4596-8877-665544332211',
  type,
  streamName: `conversation-${conversationId}`,
  position: { commit: 1000n, prepare: 17n },
  data,
  metadata: { tenant: clientId },
  created: '2026-01-02T03:04:05.678Z',
});

const posted = {
  messageId,
  conversationId,
  clientId,
  sequence: 4,
  authorId: userId,
  authorKind: 'user',
  payload: { type: 'text', text: 'hi' },
  payloadType: 'text',
  payloadKnown: true,
  source: 'api',
  collect: false,
  sentOn: '2026-01-02T03:04:05.678Z',
};

describe('webhook events', () => {
  it('have a decision for every stored event type', () => {
    for (const type of Object.keys(eventSchemas) as EventType[]) {
      expect(() => deliveryRule(type)).not.toThrow();
    }
  });

  it("render a user's message as Botpress message.new, with the conversation's owner", () => {
    // given a message a user posted with collect, through a Telegram endpoint
    const event = relayed('MessagePosted', {
      ...posted,
      collect: true,
      source: 'channel',
      endpoint: {
        channel: { name: 'telegram', version: '1.0.0' },
        identity: 'bot',
        sender: 'u',
        thread: 't',
      },
    });
    // when it is rendered
    const rendered = renderWebhookEvent(event, conversation);
    // then it has the receiver's shape, collect flag included
    expect(rendered).toEqual({
      type: 'message.new',
      data: {
        userId,
        conversationId,
        channel: 'telegram',
        collect: true,
        message: {
          id: messageId,
          conversationId,
          authorId: userId,
          sentOn: posted.sentOn,
          payload: posted.payload,
          sequence: 4,
        },
      },
    });
  });

  it("render a message posted through the API on channel 'api', without collect when not collected", () => {
    const rendered = renderWebhookEvent(relayed('MessagePosted', posted), conversation);
    expect(rendered?.data).toMatchObject({ channel: 'api' });
    expect(rendered?.data).not.toHaveProperty('collect');
  });

  it("render the bot's own message as message.sent, with its incoming id", () => {
    const rendered = renderWebhookEvent(
      relayed('MessagePosted', { ...posted, authorId: null, authorKind: 'bot', incomingId: messageId }),
      conversation,
    );
    expect(rendered?.type).toBe('message.sent');
    expect(rendered?.data.message).not.toHaveProperty('authorId');
    expect(rendered?.data.message).toMatchObject({ incomingId: messageId });
  });

  it('render the other conversation events', () => {
    expect(
      renderWebhookEvent(
        relayed('ConversationStarted', { conversationId, clientId, userId, kind: 'direct' }),
        {
          userId,
          channel: 'api',
        },
      ),
    ).toEqual({
      type: 'conversation.started',
      data: { userId, conversationId, channel: 'api', kind: 'direct' },
    });
    expect(
      renderWebhookEvent(
        relayed('MessageRemoved', { messageId, conversationId, clientId, sequence: 2 }),
        conversation,
      ),
    ).toEqual({ type: 'message.deleted', data: { userId, conversationId, messageId, sequence: 2 } });
    expect(
      renderWebhookEvent(
        relayed('MessagesCleared', { conversationId, clientId, upToSequence: 9, count: 7 }),
        conversation,
      ),
    ).toEqual({ type: 'messages.cleared', data: { userId, conversationId, upToSequence: 9, count: 7 } });
    expect(renderWebhookEvent(relayed('UserCreated', { userId, clientId }), undefined)).toEqual({
      type: 'user.new',
      data: { userId },
    });
  });

  it('render each step of a delivery as delivery.updated', () => {
    const deliveryId = `${messageId}-telegram-0123456789abcdef`;
    const base = { deliveryId, clientId, messageId, conversationId, channel: 'telegram' };
    const sent = (data: object, schemaVersion: number) => ({
      ...relayed('DeliverySent', { ...base, ...data }),
      metadata: { tenant: clientId, schemaVersion },
    });
    const rendered = {
      type: 'delivery.updated',
      data: { userId, conversationId, messageId, deliveryId, channel: 'telegram', status: 'sent' },
    };
    expect(renderWebhookEvent(sent({ providerMessageIds: ['42', '43'] }, 2), conversation)).toEqual({
      ...rendered,
      data: { ...rendered.data, providerMessageId: '42', providerMessageIds: ['42', '43'] },
    });
    expect(renderWebhookEvent(sent({ providerMessageIds: [] }, 2), conversation)).toEqual(rendered);
    // Relayed before DeliverySent listed its ids (version 1): read from EVENTS as the recorder does.
    const v1 = sent({ providerMessageId: '41' }, 1);
    const body = JSON.stringify(v1, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    const upcast = parseRelayedEvent(body, eventUpcasters);
    expect(upcast).toBeDefined();
    expect(renderWebhookEvent(upcast!, conversation)).toEqual({
      ...rendered,
      data: { ...rendered.data, providerMessageId: '41', providerMessageIds: ['41'] },
    });
    expect(
      renderWebhookEvent(
        relayed('DeliveryFailed', { ...base, reason: 'blocked', retryable: false }),
        conversation,
      )?.data,
    ).toMatchObject({ status: 'failed', reason: 'blocked', retryable: false });
  });

  it('skip configuration events and unknown types', () => {
    expect(renderWebhookEvent(relayed('ClientRenamed', { clientId, name: 'x' }), undefined)).toBeNull();
    expect(renderWebhookEvent(relayed('SomethingNew', {}), undefined)).toBeNull();
  });

  it('refuse stored data that does not fit its schema', () => {
    expect(() =>
      renderWebhookEvent(relayed('MessagePosted', { ...posted, sequence: 0 }), conversation),
    ).toThrow(/invalid MessagePosted/);
  });

  it('post { id, type, data }', () => {
    expect(JSON.parse(webhookBody('e1', { type: 'user.new', data: { userId } }))).toEqual({
      id: 'e1',
      type: 'user.new',
      data: { userId },
    });
  });
});
