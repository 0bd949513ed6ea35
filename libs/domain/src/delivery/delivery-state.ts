import type { DeliveryEvent, DeliveryStatus } from '@switchboard/contracts';

/** A delivery's state: where it stands, and what its events repeat (message, conversation, channel). */
export type DeliveryState =
  | { status: 'none' }
  | {
      status: DeliveryStatus;
      deliveryId: string;
      clientId: string;
      messageId: string;
      conversationId: string;
      channel: string;
      /** The provider's ids of the message, in send order, once sent (none when it gives none). */
      providerMessageIds?: string[];
      /** Set when failed: whether sending again could succeed. */
      retryable?: boolean;
    };

export type ExistingDelivery = Extract<DeliveryState, { deliveryId: string }>;

export function initialDeliveryState(): DeliveryState {
  return { status: 'none' };
}

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  if (event.type === 'DeliveryRequested') {
    const { deliveryId, clientId, messageId, conversationId, channel } = event.data;
    return { status: 'queued', deliveryId, clientId, messageId, conversationId, channel };
  }
  // An event before the stream's creation cannot be applied; replay keeps the state as it is.
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'DeliverySent': {
      const { retryable: _cleared, ...rest } = state;
      return { ...rest, status: 'sent', providerMessageIds: event.data.providerMessageIds };
    }
    case 'DeliveryDelivered':
      return { ...state, status: 'delivered' };
    case 'DeliveryRead':
      return { ...state, status: 'read' };
    case 'DeliveryFailed':
      return { ...state, status: 'failed', retryable: event.data.retryable };
    case 'DeliveryOutcomeUnknown':
      return { ...state, status: 'unknown' };
    default: {
      const unhandled: never = event;
      throw new Error(`delivery decider cannot apply ${(unhandled as DeliveryEvent).type}`);
    }
  }
}
