import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { v5 as uuidv5 } from 'uuid';
import { Uuid } from './values.js';

/** A broadcast (stream `broadcast-<id>`): one message to one user or to every subscriber of a topic. */
export const BroadcastId = Uuid;
export type BroadcastId = Uuid;

/**
 * A topic a user subscribes to by granting it to the client (Alias: a communication channel such as
 * `notifications`); distinct from the transport channels (`ChannelName`) a client configures.
 */
export const TopicName = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$' });
export type TopicName = Static<typeof TopicName>;

/** An OAuth scope a user granted the client (`openid`, `offline_access`, `contact`, …). */
export const ScopeName = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_:.-]{0,63}$' });
export type ScopeName = Static<typeof ScopeName>;

/** The scope without which a client may not reach a user while the user is away (Alias "offline"). */
export const OFFLINE_ACCESS = 'offline_access';

/**
 * The topics a connection lets the client broadcast on: its channels when it grants `offline_access`,
 * none otherwise. One rule for choosing a broadcast's audience and for checking each delivery.
 */
export function reachableTopics(connection: {
  scopes: readonly string[];
  channels: readonly string[];
}): readonly string[] {
  return connection.scopes.includes(OFFLINE_ACCESS) ? connection.channels : [];
}

/** The client's own id of a broadcast (Alias `outbound_message_id`); unique per client. */
export const OutboundMessageId = Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' });
export type OutboundMessageId = Static<typeof OutboundMessageId>;

/** Who a broadcast goes to: one user, or every user subscribed to the broadcast's topic when requested. */
export const BroadcastAudience = Type.Union([
  Type.Object({ kind: Type.Literal('user'), userId: Uuid }),
  Type.Object({ kind: Type.Literal('topic') }),
]);
export type BroadcastAudience = Static<typeof BroadcastAudience>;

export const BroadcastContent = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  link: Type.Optional(
    Type.Object({
      uri: Type.String({ minLength: 1, maxLength: 2048 }),
      text: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    }),
  ),
});
export type BroadcastContent = Static<typeof BroadcastContent>;

export const ContentHash = Type.String({ pattern: '^[0-9a-f]{64}$' });
export type ContentHash = Static<typeof ContentHash>;

/** Recipients per `RecipientsResolved` batch, at most: one batch is one append transaction. */
export const MAX_RECIPIENTS_PER_BATCH = 1000;

/**
 * Why a recipient was not delivered, from the user's connection when the delivery was tried:
 * `no_connection` (never connected, not this client's user, or no `offline_access`),
 * `connection_revoked`, `channel_revoked` (the connection no longer grants the broadcast's topic).
 */
export const RecipientFailureReason = Type.Union([
  Type.Literal('no_connection'),
  Type.Literal('connection_revoked'),
  Type.Literal('channel_revoked'),
]);
export type RecipientFailureReason = Static<typeof RecipientFailureReason>;

const BROADCAST_NAMESPACE = '9b0f6c1e-2d4a-4e71-8f3b-5a6c7d8e9f01';

/**
 * The broadcast id of a client's outbound message id: a repeated request finds the same stream, so
 * it is recognised as a repeat (same content) or refused (other content) by the stream itself.
 */
export function broadcastIdOf(clientId: string, outboundMessageId: string): BroadcastId {
  return uuidv5(
    `broadcast:${JSON.stringify([clientId.toLowerCase(), outboundMessageId])}`,
    BROADCAST_NAMESPACE,
  );
}

/** What makes two requests of one outbound message id the same request. */
export function broadcastContentHash(request: {
  channel: string;
  audience: BroadcastAudience;
  content: BroadcastContent;
}): ContentHash {
  const { channel, audience, content } = request;
  const canonical = JSON.stringify([
    channel,
    audience.kind,
    audience.kind === 'user' ? audience.userId.toLowerCase() : null,
    content.title,
    content.body ?? null,
    content.link?.uri ?? null,
    content.link?.text ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
