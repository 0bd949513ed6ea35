import type { RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import {
  completeOutboundMessages,
  countResolvedRecipients,
  dispatchOutboundMessages,
  insertOutboundMessages,
} from './broadcast-rows.js';
import {
  addWebhooks,
  announceChangedClients,
  configureChannels,
  insertClients,
  removeChannels,
  removeWebhooks,
  renameClients,
  rotateClientTokens,
} from './client-rows.js';
import { grantConnections, revokeConnections } from './connection-rows.js';
import { archiveConversations, insertConversations, linkEndpoints } from './conversation-rows.js';
import { insertDeliveries, updateDeliveries } from './delivery-rows.js';
import { clearMessages, insertMessages, removeMessages } from './message-rows.js';
import { finishRecipientDeliveries, insertRecipientDeliveries } from './recipient-rows.js';
import { type EventRun, eventRuns } from './recorded-runs.js';
import { insertUsers } from './user-rows.js';

/**
 * Applies a batch of `$all` to the core read models (clients, channels, webhooks, users, conversations,
 * messages, endpoints, deliveries), inside the caller's transaction. Consecutive events of one type go in one
 * statement; runs apply in order, so a removal or a clear always sees the messages posted before it.
 * Events of types the catalogue does not know are skipped. The clients whose rows changed are announced
 * (see `clientsChangedChannel`).
 */
export async function projectBatch(tx: postgres.ISql, events: readonly RecordedEvent[]): Promise<void> {
  const changedClients = new Set<string>();
  for (const run of eventRuns(events)) {
    await applyRun(tx, run);
    if (clientRunTypes.has(run.type)) {
      for (const event of run.events) changedClients.add((event.data as { clientId: string }).clientId);
    }
  }
  await announceChangedClients(tx, changedClients);
}

const clientRunTypes: ReadonlySet<EventRun['type']> = new Set([
  'ClientCreated',
  'ClientRenamed',
  'ClientTokenRotated',
  'ChannelConfigured',
  'ChannelRemoved',
  'WebhookAdded',
  'WebhookRemoved',
]);

function applyRun(tx: postgres.ISql, run: EventRun): Promise<void> {
  switch (run.type) {
    case 'ClientCreated':
      return insertClients(tx, run.events);
    case 'ClientRenamed':
      return renameClients(tx, run.events);
    case 'ClientTokenRotated':
      return rotateClientTokens(tx, run.events);
    case 'ChannelConfigured':
      return configureChannels(tx, run.events);
    case 'ChannelRemoved':
      return removeChannels(tx, run.events);
    case 'WebhookAdded':
      return addWebhooks(tx, run.events);
    case 'WebhookRemoved':
      return removeWebhooks(tx, run.events);
    case 'UserCreated':
      return insertUsers(tx, run.events);
    case 'ConversationStarted':
      return insertConversations(tx, run.events);
    case 'EndpointLinked':
      return linkEndpoints(tx, run.events);
    case 'MessagePosted':
      return insertMessages(tx, run.events);
    case 'MessageRemoved':
      return removeMessages(tx, run.events);
    case 'MessagesCleared':
      return clearMessages(tx, run.events);
    case 'ConversationArchived':
      return archiveConversations(tx, run.events);
    case 'DeliveryRequested':
      return insertDeliveries(tx, run.events);
    case 'DeliverySent':
    case 'DeliveryDelivered':
    case 'DeliveryRead':
    case 'DeliveryFailed':
    case 'DeliveryOutcomeUnknown':
      return updateDeliveries(tx, run.type, run.events);
    case 'ConnectionGranted':
    case 'ConnectionUpdated':
      return grantConnections(tx, run.events);
    case 'ConnectionRevoked':
      return revokeConnections(tx, run.events);
    case 'BroadcastRequested':
      return insertOutboundMessages(tx, run.events);
    case 'RecipientsResolved':
      return countResolvedRecipients(tx, run.events);
    case 'BroadcastDispatched':
      return dispatchOutboundMessages(tx, run.events);
    case 'RecipientsSettled':
      // The counts move with each recipient's own event; the batch adds nothing to show.
      return Promise.resolve();
    case 'BroadcastCompleted':
      return completeOutboundMessages(tx, run.events);
    case 'RecipientDeliveryStarted':
      return insertRecipientDeliveries(tx, run.events);
    case 'RecipientDelivered':
      return finishRecipientDeliveries(tx, 'delivered', run.events);
    case 'RecipientFailed':
      return finishRecipientDeliveries(tx, 'failed', run.events);
    default: {
      const unknown: never = run;
      throw new Error(`no projection for ${(unknown as EventRun).type}`);
    }
  }
}
