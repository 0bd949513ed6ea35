import type { TSchema } from 'typebox';
import { type SchemaIssue, schemaIssues } from '../schema-check.js';
import type { TaggedUnion } from '../tagged.js';
import { broadcastEventSchemas } from './broadcast.js';
import { clientEventSchemas } from './client.js';
import { conversationEventSchemas } from './conversation.js';
import { deliveryEventSchemas } from './delivery.js';
import { recipientEventSchemas } from './recipient.js';
import { userEventSchemas } from './user.js';

export * from './broadcast.js';
export * from './client.js';
export * from './connection.js';
export * from './conversation.js';
export * from './delivery.js';
export * from './recipient.js';
export * from './upcasters.js';
export * from './user.js';

export type ClientEvent = TaggedUnion<typeof clientEventSchemas>;
export type UserEvent = TaggedUnion<typeof userEventSchemas>;
export type ConversationEvent = TaggedUnion<typeof conversationEventSchemas>;
export type DeliveryEvent = TaggedUnion<typeof deliveryEventSchemas>;
export type BroadcastEvent = TaggedUnion<typeof broadcastEventSchemas>;
export type RecipientEvent = TaggedUnion<typeof recipientEventSchemas>;

/** Every event of the catalogue, discriminated by `type`. */
export type DomainEvent =
  | ClientEvent
  | UserEvent
  | ConversationEvent
  | DeliveryEvent
  | BroadcastEvent
  | RecipientEvent;
export type EventType = DomainEvent['type'];
export type EventOfType<Type extends EventType> = Extract<DomainEvent, { type: Type }>;

/** The schema of each event's data, by event type: for checking what is read back from the store. */
export const eventSchemas = {
  ...clientEventSchemas,
  ...userEventSchemas,
  ...conversationEventSchemas,
  ...deliveryEventSchemas,
  ...broadcastEventSchemas,
  ...recipientEventSchemas,
} as const satisfies Record<EventType, TSchema>;

/**
 * The version of each event's data schema, written as `schemaVersion` metadata. When a schema changes,
 * its version goes up and the reader upcasts older data; stored events are never rewritten.
 */
export const eventSchemaVersions: Record<EventType, number> = {
  ClientCreated: 1,
  ClientRenamed: 1,
  ClientTokenRotated: 1,
  ChannelConfigured: 1,
  ChannelRemoved: 1,
  WebhookAdded: 1,
  WebhookRemoved: 1,
  UserCreated: 1,
  ConversationStarted: 1,
  EndpointLinked: 1,
  MessagePosted: 1,
  MessageRemoved: 1,
  MessagesCleared: 1,
  ConversationArchived: 1,
  DeliveryRequested: 1,
  DeliverySent: 2,
  DeliveryDelivered: 1,
  DeliveryRead: 1,
  DeliveryFailed: 1,
  DeliveryOutcomeUnknown: 1,
  ConnectionGranted: 1,
  ConnectionUpdated: 1,
  ConnectionRevoked: 1,
  BroadcastRequested: 1,
  RecipientsResolved: 1,
  BroadcastDispatched: 1,
  RecipientsSettled: 1,
  BroadcastCompleted: 1,
  RecipientDeliveryStarted: 1,
  RecipientDelivered: 1,
  RecipientFailed: 1,
};

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

/** The issues of an event's data against its type's schema (an unknown type is one issue). */
export function eventIssues(type: string, data: unknown): SchemaIssue[] {
  if (!isEventType(type)) return [{ path: '/type', message: `unknown event type "${type}"` }];
  return schemaIssues(eventSchemas[type], data);
}

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    readonly type: string,
    readonly issues: SchemaIssue[],
  ) {
    super(`invalid ${type} event: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  }
}

/** Checks stored data and returns it as a typed event; throws `InvalidEventError` if it does not fit. */
export function toDomainEvent(type: string, data: unknown): DomainEvent {
  const issues = eventIssues(type, data);
  if (issues.length > 0) throw new InvalidEventError(type, issues);
  return { type, data } as DomainEvent;
}
