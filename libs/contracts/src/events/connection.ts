import { type Static, Type } from 'typebox';
import { ConnectionTerms } from '../commands/connection.js';
import { ClientId, Instant, UserId } from '../values.js';

// Granted and updated carry the whole terms, so a reader needs no earlier event to know them.
export const ConnectionGrantedData = Type.Object({
  userId: UserId,
  clientId: ClientId,
  ...ConnectionTerms,
  at: Instant,
});
export type ConnectionGrantedData = Static<typeof ConnectionGrantedData>;

export const ConnectionUpdatedData = Type.Object({
  userId: UserId,
  clientId: ClientId,
  ...ConnectionTerms,
  at: Instant,
});
export type ConnectionUpdatedData = Static<typeof ConnectionUpdatedData>;

export const ConnectionRevokedData = Type.Object({ userId: UserId, clientId: ClientId, at: Instant });
export type ConnectionRevokedData = Static<typeof ConnectionRevokedData>;

export const connectionEventSchemas = {
  ConnectionGranted: ConnectionGrantedData,
  ConnectionUpdated: ConnectionUpdatedData,
  ConnectionRevoked: ConnectionRevokedData,
} as const;
