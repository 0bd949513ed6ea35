import { type Static, Type } from 'typebox';
import { ClientId, ExternalIds, UserId } from '../values.js';

export const UserCreatedData = Type.Object({
  userId: UserId,
  clientId: ClientId,
  externalIds: Type.Optional(ExternalIds),
});
export type UserCreatedData = Static<typeof UserCreatedData>;

export const userEventSchemas = {
  UserCreated: UserCreatedData,
} as const;
