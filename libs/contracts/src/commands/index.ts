import type { TSchema } from 'typebox';
import { type SchemaIssue, schemaIssues } from '../schema-check.js';
import type { TaggedUnion } from '../tagged.js';
import { broadcastCommandSchemas } from './broadcast.js';
import { clientCommandSchemas } from './client.js';
import { conversationCommandSchemas } from './conversation.js';
import { deliveryCommandSchemas } from './delivery.js';
import { recipientCommandSchemas } from './recipient.js';
import { userCommandSchemas } from './user.js';

export * from './broadcast.js';
export * from './client.js';
export * from './connection.js';
export * from './conversation.js';
export * from './delivery.js';
export * from './recipient.js';
export * from './user.js';

export type ClientCommand = TaggedUnion<typeof clientCommandSchemas>;
export type UserCommand = TaggedUnion<typeof userCommandSchemas>;
export type ConversationCommand = TaggedUnion<typeof conversationCommandSchemas>;
export type DeliveryCommand = TaggedUnion<typeof deliveryCommandSchemas>;
export type BroadcastCommand = TaggedUnion<typeof broadcastCommandSchemas>;
export type RecipientCommand = TaggedUnion<typeof recipientCommandSchemas>;

/** Every command, discriminated by `type`; ids the command creates are inside its `data`. */
export type Command =
  | ClientCommand
  | UserCommand
  | ConversationCommand
  | DeliveryCommand
  | BroadcastCommand
  | RecipientCommand;
export type CommandType = Command['type'];
export type CommandOfType<Type extends CommandType> = Extract<Command, { type: Type }>;

/** The schema of each command's data, by command type. */
export const commandSchemas = {
  ...clientCommandSchemas,
  ...userCommandSchemas,
  ...conversationCommandSchemas,
  ...deliveryCommandSchemas,
  ...broadcastCommandSchemas,
  ...recipientCommandSchemas,
} as const satisfies Record<CommandType, TSchema>;

export function isCommandType(type: string): type is CommandType {
  return Object.hasOwn(commandSchemas, type);
}

/** The issues of a command's data against its type's schema (an unknown type is one issue). */
export function commandIssues(type: string, data: unknown): SchemaIssue[] {
  if (!isCommandType(type)) return [{ path: '/type', message: `unknown command type "${type}"` }];
  return schemaIssues(commandSchemas[type], data);
}
