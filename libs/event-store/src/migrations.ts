import { correlationIndexMigration } from './migration-correlation-index.js';

/**
 * The event store's schema, as numbered migrations applied once each, in order, by `migrate`.
 * A shipped migration is never edited: a change is a new entry.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Channel of the wake-up sent by appends; the payload is empty so PostgreSQL can fold repeats. */
export const notifyChannel = 'es_events';

/**
 * Advisory lock keys (two-int form, class 0x6573 = 'es'). The notifier key lets at most one append at a
 * time carry a NOTIFY: PostgreSQL serialises every committing transaction that queued a notification
 * (a database-wide lock held through the commit's WAL flush), which would otherwise cap appends at one
 * commit per flush. An append that skips it is picked up by the subscriber's short re-poll while other
 * transactions are in flight (see subscription.ts).
 */
export const lockClass = 0x6573;
export const migrateLockKey = 1;
export const notifierLockKey = 2;

const initial = /* sql */ `
CREATE SCHEMA IF NOT EXISTS es;

CREATE TABLE es.streams (
  name                text PRIMARY KEY,
  category            text NOT NULL,
  -- revision of the last event; -1 while the stream has none (e.g. only metadata was set)
  revision            bigint NOT NULL DEFAULT -1,
  -- soft delete: events at or below this revision are gone for readers; the stream exists again
  -- once an append takes revision above it. -1 when never deleted.
  deleted_at_revision bigint NOT NULL DEFAULT -1,
  tombstoned          boolean NOT NULL DEFAULT false,
  -- StreamMetadata as set by the caller (maxAge seconds, maxCount, truncateBefore as a string, extras)
  metadata            jsonb
);

CREATE TABLE es.events (
  global_position bigserial PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL CONSTRAINT events_event_id_unique UNIQUE,
  stream_name     text NOT NULL,
  category        text NOT NULL,
  revision        bigint NOT NULL,
  type            text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  created         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_name, revision)
);
-- $all order: readers page through (transaction_id, global_position) below the snapshot's xmin
CREATE INDEX events_all_order ON es.events (transaction_id, global_position);

CREATE TABLE es.commands (
  command_id text CONSTRAINT commands_pkey PRIMARY KEY,
  result     jsonb,
  -- what the first execution returned: [{ stream, revision, commit, prepare }]
  appends    jsonb NOT NULL DEFAULT '[]',
  created    timestamptz NOT NULL DEFAULT now()
);
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  correlationIndexMigration,
];
