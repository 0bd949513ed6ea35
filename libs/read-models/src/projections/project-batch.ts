import type { RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import {
  addWebhooks,
  configureChannels,
  insertClients,
  removeChannels,
  removeWebhooks,
  renameClients,
  rotateClientTokens,
} from './client-rows.js';
import { archiveConversations, insertConversations, linkEndpoints } from './conversation-rows.js';
import { clearMessages, insertMessages, removeMessages } from './message-rows.js';
import { type EventRun, eventRuns } from './recorded-runs.js';
import { insertUsers } from './user-rows.js';

/**
 * Applies a batch of `$all` to the core read models (clients, channels, webhooks, users, conversations,
 * messages, endpoints), inside the caller's transaction. Consecutive events of one type go in one
 * statement; runs apply in order, so a removal or a clear always sees the messages posted before it.
 * Events of types the catalogue does not know are skipped.
 */
export async function projectBatch(tx: postgres.ISql, events: readonly RecordedEvent[]): Promise<void> {
  for (const run of eventRuns(events)) await applyRun(tx, run);
}

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
    default: {
      const unknown: never = run;
      throw new Error(`no projection for ${(unknown as EventRun).type}`);
    }
  }
}
