import {
  type DeliveryCommand,
  type DeliveryEvent,
  deliveryIdOf,
  type RecordDeliverySentData,
  type RecordDeliveryStatusData,
} from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';
import {
  type DeliveryState,
  type ExistingDelivery,
  evolveDelivery,
  initialDeliveryState,
} from './delivery-state.js';

/**
 * Stream `delivery-<deliveryId>`: one message on its way to one channel endpoint,
 * `queued → sent → delivered → read`, or `failed`, or `unknown` (see ../../README.md). Provider reports
 * come late, twice and out of order, so a report that would move a delivery back (delivered after
 * read, failed after delivered, sent after delivered) or repeats its status emits nothing.
 */
export const deliveryDecider: Decider<DeliveryCommand, DeliveryEvent, DeliveryState> = {
  initialState: initialDeliveryState,
  evolve: evolveDelivery,
  decide(command: DeliveryCommand, state: DeliveryState, _ctx: DecideContext): DeliveryEvent[] {
    if (command.type === 'RequestDelivery') {
      const { deliveryId, clientId, messageId, conversationId, endpoint } = command.data;
      if (state.status !== 'none') {
        // Asked again (a connector seeing the message again): nothing changes, the answer says where it is.
        if (state.clientId === clientId) return [];
        throw new DomainError('conflict', 'delivery already exists');
      }
      if (deliveryId !== deliveryIdOf(messageId, endpoint)) {
        throw new DomainError('invalid', 'deliveryId is not the id of this message and endpoint');
      }
      return [
        {
          type: 'DeliveryRequested',
          data: { deliveryId, clientId, messageId, conversationId, channel: endpoint.channel.name, endpoint },
        },
      ];
    }

    const delivery = existingDelivery(state, command.data.clientId);
    switch (command.type) {
      case 'RecordDeliverySent': {
        const sendable =
          delivery.status === 'queued' ||
          delivery.status === 'unknown' ||
          (delivery.status === 'failed' && delivery.retryable === true);
        if (!sendable) return [];
        return [
          { type: 'DeliverySent', data: { ...facts(delivery), providerMessageIds: sentIds(command.data) } },
        ];
      }
      case 'RecordDeliveryStatus':
        return statusEvents(delivery, command.data);
      default: {
        const unhandled: never = command;
        throw new Error(`delivery decider cannot decide ${(unhandled as DeliveryCommand).type}`);
      }
    }
  },
};

/** The ids a send report gives, in order and once each; a lone `providerMessageId` counts as the first. */
function sentIds(report: RecordDeliverySentData): string[] {
  const ids = [
    ...(report.providerMessageId === undefined ? [] : [report.providerMessageId]),
    ...(report.providerMessageIds ?? []),
  ];
  return [...new Set(ids)];
}

function statusEvents(delivery: ExistingDelivery, report: RecordDeliveryStatusData): DeliveryEvent[] {
  const current = delivery.status;
  switch (report.status) {
    case 'delivered':
      // The provider's word that it arrived outranks our own failure or uncertainty.
      if (current === 'delivered' || current === 'read') return [];
      return [{ type: 'DeliveryDelivered', data: facts(delivery) }];
    case 'read':
      if (current === 'read') return [];
      return [{ type: 'DeliveryRead', data: facts(delivery) }];
    case 'failed':
      if (current !== 'queued' && current !== 'sent' && current !== 'unknown') return [];
      return [
        {
          type: 'DeliveryFailed',
          data: {
            ...facts(delivery),
            reason: report.reason ?? 'the provider reported a failure',
            retryable: report.retryable ?? false,
          },
        },
      ];
    case 'unknown':
      if (current !== 'queued') return [];
      return [
        {
          type: 'DeliveryOutcomeUnknown',
          data: { ...facts(delivery), reason: report.reason ?? 'the provider did not answer' },
        },
      ];
    default: {
      const unhandled: never = report.status;
      throw new Error(`unknown reported delivery status ${String(unhandled)}`);
    }
  }
}

function existingDelivery(state: DeliveryState, clientId: string): ExistingDelivery {
  // Another tenant's delivery is answered as if it did not exist.
  if (state.status === 'none' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'delivery not found');
  }
  return state;
}

function facts(delivery: ExistingDelivery) {
  const { deliveryId, clientId, messageId, conversationId, channel } = delivery;
  return { deliveryId, clientId, messageId, conversationId, channel };
}
