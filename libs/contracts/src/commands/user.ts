import { type Static, Type } from 'typebox';
import { ClientId, ExternalIds, UserId } from '../values.js';
import { connectionCommandSchemas } from './connection.js';

export const CreateUserData = Type.Object({
  userId: UserId,
  clientId: ClientId,
  externalIds: Type.Optional(ExternalIds),
});
export type CreateUserData = Static<typeof CreateUserData>;

export const userCommandSchemas = {
  CreateUser: CreateUserData,
  ...connectionCommandSchemas,
} as const;
