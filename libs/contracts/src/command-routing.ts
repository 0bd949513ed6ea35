import type { Command, CommandType } from './commands/index.js';
import { type StreamCategory, streams } from './streams.js';

/** Which aggregate (stream category) decides each command: also the `<aggregate>` of `cmd.*` subjects. */
export const commandAggregate = {
  CreateClient: 'client',
  RenameClient: 'client',
  RotateClientToken: 'client',
  ConfigureChannel: 'client',
  RemoveChannel: 'client',
  AddWebhook: 'client',
  RemoveWebhook: 'client',
  SyncClientConfiguration: 'client',
  CreateUser: 'user',
  GrantConnection: 'user',
  RevokeConnection: 'user',
  StartConversation: 'conversation',
  LinkEndpoint: 'conversation',
  PostMessage: 'conversation',
  RemoveMessage: 'conversation',
  ClearMessages: 'conversation',
  ArchiveConversation: 'conversation',
  RequestDelivery: 'delivery',
  RecordDeliverySent: 'delivery',
  RecordDeliveryStatus: 'delivery',
  RequestBroadcast: 'broadcast',
  RecordRecipientsResolved: 'broadcast',
  DispatchBroadcast: 'broadcast',
  RecordRecipientsSettled: 'broadcast',
  CompleteBroadcast: 'broadcast',
  StartRecipientDelivery: 'recipient',
  RecordRecipientDelivered: 'recipient',
  RecordRecipientFailed: 'recipient',
} as const satisfies Record<CommandType, StreamCategory>;

/** The stream a command is decided on and appended to. */
export function commandStream(command: Command): string {
  switch (command.type) {
    case 'CreateClient':
    case 'RenameClient':
    case 'RotateClientToken':
    case 'ConfigureChannel':
    case 'RemoveChannel':
    case 'AddWebhook':
    case 'RemoveWebhook':
    case 'SyncClientConfiguration':
      return streams.client(command.data.clientId);
    case 'CreateUser':
    case 'GrantConnection':
    case 'RevokeConnection':
      return streams.user(command.data.userId);
    case 'StartConversation':
    case 'LinkEndpoint':
    case 'PostMessage':
    case 'RemoveMessage':
    case 'ClearMessages':
    case 'ArchiveConversation':
      return streams.conversation(command.data.conversationId);
    case 'RequestDelivery':
    case 'RecordDeliverySent':
    case 'RecordDeliveryStatus':
      return streams.delivery(command.data.deliveryId);
    case 'RequestBroadcast':
    case 'RecordRecipientsResolved':
    case 'DispatchBroadcast':
    case 'RecordRecipientsSettled':
    case 'CompleteBroadcast':
      return streams.broadcast(command.data.broadcastId);
    case 'StartRecipientDelivery':
    case 'RecordRecipientDelivered':
    case 'RecordRecipientFailed':
      return streams.recipient(command.data.broadcastId, command.data.userId);
    default: {
      const unhandled: never = command;
      throw new Error(`no stream for command ${(unhandled as Command).type}`);
    }
  }
}

/** The tenant a command acts for: every command carries its client id. */
export function commandTenant(command: Command): string {
  return command.data.clientId;
}
