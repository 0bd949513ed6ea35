import type { RecordedEvent } from '@switchboard/event-store';
import type postgres from 'postgres';
import { projectBatch } from './project-batch.js';

/** A projection: the checkpoint it keeps in `rm.checkpoints`, the tables it owns, how it applies events. */
export interface Projection {
  readonly name: string;
  /** Tables (schema-qualified) holding nothing but this projection's rows: a rebuild empties them. */
  readonly tables: readonly string[];
  project(tx: postgres.ISql, events: readonly RecordedEvent[]): Promise<void>;
}

/** The read models the gateway queries; its checkpoint is the one read-your-writes waits for. */
export const coreProjection: Projection = {
  name: 'core',
  tables: [
    'rm.clients',
    'rm.client_channels',
    'rm.webhooks',
    'rm.users',
    'rm.conversations',
    'rm.messages',
    'rm.endpoints',
    'rm.deliveries',
    'rm.alias_connections',
    'rm.alias_channel_subscriptions',
    'rm.alias_outbound_messages',
    'rm.alias_deliveries',
    'rm.inbox_items',
  ],
  project: projectBatch,
};
