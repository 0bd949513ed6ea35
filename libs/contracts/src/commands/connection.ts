import { type Static, Type } from 'typebox';
import { ScopeName, TopicName } from '../broadcast-terms.js';
import { ClientId, UserId } from '../values.js';

/** What a user granted the client: scopes, the topics it may message them on, a nickname. */
export const ConnectionTerms = {
  scopes: Type.Array(ScopeName, { maxItems: 64 }),
  channels: Type.Array(TopicName, { maxItems: 64 }),
  nickname: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
};

/**
 * The user grants the client a connection, or grants it again with other terms (an update when one
 * is active). Stream `user-<id>`: the user must exist and be the client's.
 */
export const GrantConnectionData = Type.Object({ userId: UserId, clientId: ClientId, ...ConnectionTerms });
export type GrantConnectionData = Static<typeof GrantConnectionData>;

/** The user ends the connection entirely. */
export const RevokeConnectionData = Type.Object({ userId: UserId, clientId: ClientId });
export type RevokeConnectionData = Static<typeof RevokeConnectionData>;

export const connectionCommandSchemas = {
  GrantConnection: GrantConnectionData,
  RevokeConnection: RevokeConnectionData,
} as const;
