import { describe, expect, it } from 'vitest';
import { DeliveryId, deliveryIdOf } from './delivery-terms.js';
import { endpointIds, inboundMessageId } from './endpoint-ids.js';
import { fitsSchema } from './schema-check.js';
import { categoryOf, streamIdOf, streams } from './streams.js';
import type { Endpoint } from './values.js';

const messageId = '3e814d6f-b052-4f7a-8d94-5c40a1ce6f83';
const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';
const telegram = (sender: string): Endpoint => ({
  channel: { name: 'telegram', version: '1.0.0' },
  identity: '*',
  sender,
  thread: sender,
});

describe('delivery ids', () => {
  it('are the message id, the channel and a tag of the endpoint', () => {
    const id = deliveryIdOf(messageId, telegram('42'));
    expect(id).toMatch(new RegExp(`^${messageId}-telegram-[0-9a-f]{16}$`));
    expect(fitsSchema(DeliveryId, id)).toBe(true);
    expect(deliveryIdOf(messageId, telegram('42'))).toBe(id);
  });

  it('differ per endpoint of one channel, and make a <category>-<id> stream', () => {
    expect(deliveryIdOf(messageId, telegram('42'))).not.toBe(deliveryIdOf(messageId, telegram('43')));
    const stream = streams.delivery(deliveryIdOf(messageId, telegram('42')));
    expect(categoryOf(stream)).toBe('delivery');
    expect(streamIdOf(stream)).toBe(deliveryIdOf(messageId, telegram('42')));
    expect(stream).not.toMatch(/[.*>\s]/);
  });
});

describe('endpoint ids', () => {
  it('are stable, and scoped by client, sender and thread', () => {
    const e = { channel: 'telegram', version: '1.0.0', identity: '*', sender: '42', thread: '42' };
    const ids = endpointIds(clientId, e);
    expect(endpointIds(clientId, e)).toEqual(ids);
    expect(endpointIds(clientId, { ...e, thread: '43' }).userId).toBe(ids.userId);
    expect(endpointIds(clientId, { ...e, thread: '43' }).conversationId).not.toBe(ids.conversationId);
    expect(endpointIds(messageId, e).userId).not.toBe(ids.userId);
  });

  it('give one message id per provider event of a client and channel', () => {
    const id = inboundMessageId(clientId, 'telegram', '1001');
    expect(inboundMessageId(clientId, 'telegram', '1001')).toBe(id);
    expect(inboundMessageId(clientId, 'slack', '1001')).not.toBe(id);
    expect(inboundMessageId(messageId, 'telegram', '1001')).not.toBe(id);
  });
});
