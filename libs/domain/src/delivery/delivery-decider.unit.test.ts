import {
  type DeliveryCommand,
  type DeliveryEvent,
  deliveryIdOf,
  type RecordDeliveryStatusData,
} from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState } from '../decider.js';
import { deciderSpec } from '../testing/decider-spec.js';
import { ids, messageId, slackEndpoint, telegramEndpoint } from '../testing/fixtures.js';
import { deliveryDecider } from './delivery-decider.js';

const { given } = deciderSpec(deliveryDecider);
const clientId = ids.client;
const conversationId = ids.conversation;
const deliveryId = deliveryIdOf(messageId(1), telegramEndpoint);
const facts = { deliveryId, clientId, messageId: messageId(1), conversationId, channel: 'telegram' };

const request: DeliveryCommand = {
  type: 'RequestDelivery',
  data: { deliveryId, clientId, messageId: messageId(1), conversationId, endpoint: telegramEndpoint },
};
const sent = (...providerMessageIds: string[]): DeliveryCommand => ({
  type: 'RecordDeliverySent',
  data: {
    deliveryId,
    clientId,
    providerMessageIds: providerMessageIds.length > 0 ? providerMessageIds : ['77'],
  },
});
const report = (
  status: RecordDeliveryStatusData['status'],
  extra: Partial<RecordDeliveryStatusData> = {},
): DeliveryCommand => ({ type: 'RecordDeliveryStatus', data: { deliveryId, clientId, status, ...extra } });

const requested: DeliveryEvent = {
  type: 'DeliveryRequested',
  data: { ...facts, endpoint: telegramEndpoint },
};
const wasSent: DeliveryEvent = { type: 'DeliverySent', data: { ...facts, providerMessageIds: ['77'] } };
const wasDelivered: DeliveryEvent = { type: 'DeliveryDelivered', data: facts };
const wasRead: DeliveryEvent = { type: 'DeliveryRead', data: facts };
const failed = (reason: string, retryable: boolean): DeliveryEvent => ({
  type: 'DeliveryFailed',
  data: { ...facts, reason, retryable },
});
const unknown: DeliveryEvent = { type: 'DeliveryOutcomeUnknown', data: { ...facts, reason: 'timed out' } };

describe('RequestDelivery', () => {
  it('queues a delivery of a message to one endpoint', () => {
    given([]).when(request).then([requested]);
    expect(foldState(deliveryDecider, [requested])).toMatchObject({ status: 'queued', channel: 'telegram' });
  });

  it('changes nothing when asked again, whatever the delivery became', () => {
    for (const past of [[requested], [requested, wasSent], [requested, failed('x', false)]]) {
      given(past).when(request).then([]);
    }
  });

  it('refuses a delivery id that is not the message and endpoint’s', () => {
    const other = deliveryIdOf(messageId(1), slackEndpoint);
    given([])
      .when({ ...request, data: { ...request.data, deliveryId: other } } as DeliveryCommand)
      .thenThrows('invalid');
  });

  it('does not let another tenant touch the delivery', () => {
    const foreign = { ...request, data: { ...request.data, clientId: ids.otherClient } } as DeliveryCommand;
    given([requested]).when(foreign).thenThrows('conflict');
    const foreignSent = {
      type: 'RecordDeliverySent',
      data: { deliveryId, clientId: ids.otherClient },
    } as const;
    given([requested]).when(foreignSent).thenThrows('not_found');
  });
});

describe('queued → sent → delivered → read', () => {
  it('records each step once', () => {
    given([requested]).when(sent()).then([wasSent]);
    given([requested, wasSent]).when(report('delivered')).then([wasDelivered]);
    given([requested, wasSent, wasDelivered]).when(report('read')).then([wasRead]);
    expect(foldState(deliveryDecider, [requested, wasSent, wasDelivered, wasRead])).toMatchObject({
      status: 'read',
      providerMessageIds: ['77'],
    });
  });

  it('keeps a sent without a provider id', () => {
    given([requested])
      .when({ type: 'RecordDeliverySent', data: { deliveryId, clientId } })
      .then([{ type: 'DeliverySent', data: { ...facts, providerMessageIds: [] } }]);
  });

  it('records every id of a message the provider took in several requests, in order', () => {
    given([requested])
      .when(sent('photo-1', 'text-2', 'text-3'))
      .then([
        { type: 'DeliverySent', data: { ...facts, providerMessageIds: ['photo-1', 'text-2', 'text-3'] } },
      ]);
  });

  it('takes the single id an older connector reports as the first', () => {
    given([requested])
      .when({
        type: 'RecordDeliverySent',
        data: { deliveryId, clientId, providerMessageId: 'a', providerMessageIds: ['a', 'b'] },
      })
      .then([{ type: 'DeliverySent', data: { ...facts, providerMessageIds: ['a', 'b'] } }]);
    given([requested])
      .when({ type: 'RecordDeliverySent', data: { deliveryId, clientId, providerMessageId: 'old' } })
      .then([{ type: 'DeliverySent', data: { ...facts, providerMessageIds: ['old'] } }]);
  });

  it('refuses a report for a delivery never requested', () => {
    given([]).when(sent()).thenThrows('not_found');
    given([]).when(report('delivered')).thenThrows('not_found');
  });
});

describe('late and out-of-order reports', () => {
  it('ignore a repeated report', () => {
    given([requested, wasSent]).when(sent()).then([]);
    given([requested, wasSent, wasDelivered]).when(report('delivered')).then([]);
    given([requested, wasSent, wasDelivered, wasRead]).when(report('read')).then([]);
    given([requested, failed('x', false)])
      .when(report('failed', { reason: 'again' }))
      .then([]);
  });

  it('never move a delivery back', () => {
    const read = [requested, wasSent, wasDelivered, wasRead];
    given(read).when(report('delivered')).then([]);
    given(read).when(sent()).then([]);
    given(read)
      .when(report('failed', { reason: 'late' }))
      .then([]);
    given([requested, wasSent, wasDelivered]).when(sent()).then([]);
  });

  it('accept a read that comes before its delivered, and a delivered that comes before its sent', () => {
    given([requested, wasSent]).when(report('read')).then([wasRead]);
    given([requested]).when(report('delivered')).then([wasDelivered]);
    // The sent that arrives after the provider's callback is a no-op.
    given([requested, wasDelivered]).when(sent()).then([]);
  });

  it('let the provider’s word that it arrived outrank a failure or an unknown outcome', () => {
    given([requested, failed('timed out', true)])
      .when(report('delivered'))
      .then([wasDelivered]);
    given([requested, unknown]).when(report('delivered')).then([wasDelivered]);
  });
});

describe('failures', () => {
  it('record the provider’s reason and whether a retry could help', () => {
    given([requested])
      .when(report('failed', { reason: 'Bad Request: chat not found', retryable: false }))
      .then([failed('Bad Request: chat not found', false)]);
    given([requested, wasSent])
      .when(report('failed'))
      .then([failed('the provider reported a failure', false)]);
  });

  it('let a retryable failure be sent after all, but not a permanent one', () => {
    given([requested, failed('rate limited', true)])
      .when(sent())
      .then([wasSent]);
    given([requested, failed('chat not found', false)])
      .when(sent())
      .then([]);
    expect(foldState(deliveryDecider, [requested, failed('rate limited', true), wasSent])).not.toHaveProperty(
      'retryable',
    );
  });

  it('record an unknown outcome only while queued, and let a later answer settle it', () => {
    given([requested])
      .when(report('unknown', { reason: 'timed out' }))
      .then([unknown]);
    given([requested, wasSent]).when(report('unknown')).then([]);
    given([requested, unknown]).when(sent()).then([wasSent]);
    given([requested, unknown])
      .when(report('failed', { reason: 'x' }))
      .then([failed('x', false)]);
  });
});
