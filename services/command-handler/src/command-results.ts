import type { CommandReply } from '@switchboard/bus';
import type { Command, DomainEvent } from '@switchboard/contracts';
import type { ClientState, DeliveryState, DomainError, UserState } from '@switchboard/domain';
import type { Position } from '@switchboard/event-store';

/** The `ok` result of every command: where its events are, so the caller can read its own writes. */
export interface CommandResult {
  position: { commit: string; prepare: string };
  /** Revision of the stream's last event after the command (decimal string). */
  revision: string;
  [extra: string]: unknown;
}

/**
 * What a command answers besides its position, from the events it produced and the state after them.
 * Stored with the append, so a retried command answers exactly what its first execution did.
 */
export function resultDetails(
  command: Command,
  events: DomainEvent[],
  stateAfter: unknown,
): Record<string, unknown> {
  switch (command.type) {
    case 'ClearMessages': {
      const cleared = events.find((e) => e.type === 'MessagesCleared');
      return { count: cleared?.type === 'MessagesCleared' ? cleared.data.count : 0 };
    }
    case 'PostMessage': {
      const posted = events.find((e) => e.type === 'MessagePosted');
      // With its time, the caller can answer with the message without reading it back.
      return posted?.type === 'MessagePosted'
        ? { messageId: posted.data.messageId, sequence: posted.data.sequence, sentOn: posted.data.sentOn }
        : {};
    }
    case 'CreateClient':
    case 'SyncClientConfiguration':
    case 'AddWebhook':
    case 'RemoveWebhook':
      // The effective webhooks: a URL already registered keeps its id and sealed token.
      return { webhooks: effectiveWebhooks(stateAfter as ClientState) };
    case 'RequestDelivery':
      // Asked again, a delivery answers where it stands: a connector sends only a queued one.
      return deliveryDetails(stateAfter as DeliveryState);
    case 'RecordDeliverySent':
    case 'RecordDeliveryStatus':
      return deliveryDetails(stateAfter as DeliveryState);
    case 'GrantConnection':
    case 'RevokeConnection': {
      // The connection as it stands after the command, so the caller answers without its read model.
      const user = stateAfter as UserState;
      return user.status === 'active' && user.connection ? { connection: user.connection } : {};
    }
    case 'RequestBroadcast':
      // A repeat of the same request answers the same ids (the dialect's idempotent answer).
      return { broadcastId: command.data.broadcastId, outboundMessageId: command.data.outboundMessageId };
    case 'RenameClient':
    case 'RotateClientToken':
    case 'ConfigureChannel':
    case 'RemoveChannel':
    case 'CreateUser':
    case 'StartConversation':
    case 'LinkEndpoint':
    case 'RemoveMessage':
    case 'ArchiveConversation':
    case 'RecordRecipientsResolved':
    case 'DispatchBroadcast':
    case 'RecordRecipientsSettled':
    case 'CompleteBroadcast':
    case 'StartRecipientDelivery':
    case 'RecordRecipientDelivered':
    case 'RecordRecipientFailed':
      return {};
    default: {
      const unhandled: never = command;
      throw new Error(`no result for command ${(unhandled as Command).type}`);
    }
  }
}

function deliveryDetails(state: DeliveryState): Record<string, unknown> {
  return state.status === 'none' ? {} : { deliveryId: state.deliveryId, status: state.status };
}

function effectiveWebhooks(state: ClientState): { webhookId: string; url: string; sealedToken: string }[] {
  if (state.status !== 'active') return [];
  return Object.entries(state.webhooks).map(([webhookId, w]) => ({
    webhookId,
    url: w.url,
    sealedToken: w.sealedToken,
  }));
}

export function commandResult(position: Position, revision: bigint, details: unknown): CommandResult {
  const extra = typeof details === 'object' && details !== null && !Array.isArray(details) ? details : {};
  return {
    ...extra,
    position: { commit: position.commit.toString(), prepare: position.prepare.toString() },
    revision: revision.toString(),
  };
}

/** A rule the decider refused to break, as the reply the caller maps to its dialect's 4xx. */
export function domainErrorReply(error: DomainError): CommandReply<never> {
  switch (error.code) {
    case 'not_found':
      return { status: 'not_found', message: error.message };
    case 'conflict':
      return withDetails({ status: 'conflict', message: error.message }, error.details);
    case 'invalid':
    case 'forbidden':
      return withDetails({ status: 'rejected', code: error.code, message: error.message }, error.details);
    default: {
      const unhandled: never = error.code;
      throw new Error(`unknown domain error code ${String(unhandled)}`);
    }
  }
}

function withDetails<R extends object>(reply: R, details: unknown): R {
  return details === undefined ? reply : { ...reply, details };
}
