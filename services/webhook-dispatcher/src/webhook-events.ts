import { type DomainEvent, type EventType, isEventType, toDomainEvent } from '@switchboard/contracts';
import type { RelayedEvent } from '@switchboard/event-store';

/**
 * What a client's webhook receives. The first three are the Botpress Messaging receiver's own; the rest
 * are ours (that receiver answers 200 to a type it does not know and ignores it).
 * `message.updated` is reserved for MessageEdited, which the event catalogue does not have yet.
 */
export type WebhookEventType =
  | 'user.new'
  | 'conversation.started'
  | 'conversation.archived'
  | 'message.new'
  | 'message.sent'
  | 'message.deleted'
  | 'messages.cleared'
  | 'delivery.updated';

export interface WebhookEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/** What a conversation's events need to be rendered: its owner, and the channel it started on. */
export interface ConversationFacts {
  userId: string;
  /** The channel of the endpoint linked when the conversation started, or 'api'. */
  channel: string;
}

/** How an event type reaches webhooks: as which type, and whether it needs its conversation's facts. */
export interface DeliveryRule {
  webhookType: WebhookEventType;
  needsConversation: boolean;
}

/**
 * The delivery rule of each stored event type, or null when it is not delivered. Exhaustive, so a new
 * event type cannot be added without deciding here whether clients hear of it.
 */
export function deliveryRule(type: EventType): DeliveryRule | null {
  switch (type) {
    // The client's own configuration: it made these changes and got the answer.
    case 'ClientCreated':
    case 'ClientRenamed':
    case 'ClientTokenRotated':
    case 'ChannelConfigured':
    case 'ChannelRemoved':
    case 'WebhookAdded':
    case 'WebhookRemoved':
      return null;
    // Told as the `channel` of `conversation.started` (a later link is not an event clients need).
    case 'EndpointLinked':
      return null;
    case 'UserCreated':
      return { webhookType: 'user.new', needsConversation: false };
    case 'ConversationStarted':
      return { webhookType: 'conversation.started', needsConversation: true };
    case 'ConversationArchived':
      return { webhookType: 'conversation.archived', needsConversation: true };
    case 'MessagePosted':
      // Decided per message (user's or bot's) in `renderWebhookEvent`.
      return { webhookType: 'message.new', needsConversation: true };
    case 'MessageRemoved':
      return { webhookType: 'message.deleted', needsConversation: true };
    case 'MessagesCleared':
      return { webhookType: 'messages.cleared', needsConversation: true };
    // A message's way to one channel endpoint: each step is told, in order per delivery.
    case 'DeliveryRequested':
    case 'DeliverySent':
    case 'DeliveryDelivered':
    case 'DeliveryRead':
    case 'DeliveryFailed':
    case 'DeliveryOutcomeUnknown':
      return { webhookType: 'delivery.updated', needsConversation: true };
    // Connections and broadcasts (the Alias client API): read through its searches, which have no webhooks.
    case 'ConnectionGranted':
    case 'ConnectionUpdated':
    case 'ConnectionRevoked':
    case 'BroadcastRequested':
    case 'RecipientsResolved':
    case 'BroadcastDispatched':
    case 'RecipientsSettled':
    case 'BroadcastCompleted':
    case 'RecipientDeliveryStarted':
    case 'RecipientDelivered':
    case 'RecipientFailed':
      return null;
    default: {
      const unknownType: never = type;
      throw new Error(`no delivery rule for event type ${String(unknownType)}`);
    }
  }
}

/** The rule for a relayed event's type; null for types this build does not know. */
export function ruleFor(event: RelayedEvent): DeliveryRule | null {
  return isEventType(event.type) ? deliveryRule(event.type) : null;
}

/**
 * The webhook event for a stored event, or null when it is not delivered. Throws `InvalidEventError`
 * when the stored data does not fit its schema.
 */
export function renderWebhookEvent(
  event: RelayedEvent,
  conversation: ConversationFacts | undefined,
): WebhookEvent | null {
  if (!isEventType(event.type) || deliveryRule(event.type) === null) return null;
  // Already in its current shape: parseRelayedEvent upcasts what was relayed before an upgrade.
  const domain = toDomainEvent(event.type, event.data);
  const owner = (): ConversationFacts => {
    if (!conversation) throw new Error(`${event.type} ${event.id}: the conversation's facts are needed`);
    return conversation;
  };
  return render(domain, owner);
}

function render(event: DomainEvent, conversation: () => ConversationFacts): WebhookEvent | null {
  switch (event.type) {
    case 'UserCreated':
      return { type: 'user.new', data: { userId: event.data.userId } };
    case 'ConversationStarted':
      return {
        type: 'conversation.started',
        data: {
          userId: event.data.userId,
          conversationId: event.data.conversationId,
          channel: conversation().channel,
          kind: event.data.kind,
        },
      };
    case 'ConversationArchived':
      return {
        type: 'conversation.archived',
        data: { userId: conversation().userId, conversationId: event.data.conversationId },
      };
    case 'MessagePosted': {
      const m = event.data;
      // A bot's own message is `message.sent`: handing it to the bot as `message.new` would make a bot
      // that answers every message answer itself.
      const type = m.authorId === null ? 'message.sent' : 'message.new';
      return {
        type,
        data: {
          userId: conversation().userId,
          conversationId: m.conversationId,
          channel: m.endpoint?.channel.name ?? 'api',
          ...(m.collect ? { collect: true } : {}),
          message: {
            id: m.messageId,
            conversationId: m.conversationId,
            ...(m.authorId !== null ? { authorId: m.authorId } : {}),
            sentOn: m.sentOn,
            payload: m.payload,
            sequence: m.sequence,
            ...(m.incomingId ? { incomingId: m.incomingId } : {}),
          },
        },
      };
    }
    case 'MessageRemoved':
      return {
        type: 'message.deleted',
        data: {
          userId: conversation().userId,
          conversationId: event.data.conversationId,
          messageId: event.data.messageId,
          sequence: event.data.sequence,
        },
      };
    case 'MessagesCleared':
      return {
        type: 'messages.cleared',
        data: {
          userId: conversation().userId,
          conversationId: event.data.conversationId,
          upToSequence: event.data.upToSequence,
          count: event.data.count,
        },
      };
    case 'DeliveryRequested':
    case 'DeliverySent':
    case 'DeliveryDelivered':
    case 'DeliveryRead':
    case 'DeliveryFailed':
    case 'DeliveryOutcomeUnknown': {
      const d = event.data;
      return {
        type: 'delivery.updated',
        data: {
          userId: conversation().userId,
          conversationId: d.conversationId,
          messageId: d.messageId,
          deliveryId: d.deliveryId,
          channel: d.channel,
          status: deliveryStatus[event.type],
          // The first id as before, and every id of a message the provider took in several requests.
          ...('providerMessageIds' in d && d.providerMessageIds.length > 0
            ? { providerMessageId: d.providerMessageIds[0], providerMessageIds: d.providerMessageIds }
            : {}),
          ...('reason' in d ? { reason: d.reason } : {}),
          ...('retryable' in d ? { retryable: d.retryable } : {}),
        },
      };
    }
    default:
      return null;
  }
}

/** The `status` a delivery event reports, in the words of `DeliveryStatus` (contracts). */
const deliveryStatus = {
  DeliveryRequested: 'queued',
  DeliverySent: 'sent',
  DeliveryDelivered: 'delivered',
  DeliveryRead: 'read',
  DeliveryFailed: 'failed',
  DeliveryOutcomeUnknown: 'unknown',
} as const;

/** The exact JSON posted for an event: `{ id, type, data }` (Botpress receivers read type and data). */
export function webhookBody(eventId: string, event: WebhookEvent): string {
  return JSON.stringify({ id: eventId, type: event.type, data: event.data });
}
