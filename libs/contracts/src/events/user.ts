import { type Static, Type } from 'typebox';
import { ClientId, ExternalIds, UserId } from '../values.js';
import { connectionEventSchemas } from './connection.js';

export const UserCreatedData = Type.Object({
  userId: UserId,
  clientId: ClientId,
  externalIds: Type.Optional(ExternalIds),
});
export type UserCreatedData = Static<typeof UserCreatedData>;

export const userEventSchemas = {
  UserCreated: UserCreatedData,
  ...connectionEventSchemas,
} as const;
