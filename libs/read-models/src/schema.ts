import type postgres from 'postgres';
import { aliasDdl } from './alias-schema.js';

/**
 * The read models' tables, in schema `rm`. Written only by the projector (one transaction per batch,
 * together with its checkpoint); read by the gateway. The event store stays the source of truth:
 * every row here can be dropped and rebuilt from `$all`.
 */
export const readModelDdl = /* sql */ `
CREATE SCHEMA IF NOT EXISTS rm;

CREATE TABLE IF NOT EXISTS rm.checkpoints (
  projection      text PRIMARY KEY,
  commit_position bigint NOT NULL,
  prepare_position bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS rm.clients (
  id          uuid PRIMARY KEY,
  name        text,
  token_hash  text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm.client_channels (
  client_id       uuid NOT NULL,
  channel         text NOT NULL,
  enabled         boolean NOT NULL,
  config_sealed   text NOT NULL,          -- AES-256-GCM sealed JSON; never returned by any API
  configured_at   timestamptz NOT NULL,
  last_error      text,
  last_error_at   timestamptz,
  last_success_at timestamptz,
  PRIMARY KEY (client_id, channel)
);

CREATE TABLE IF NOT EXISTS rm.webhooks (
  id            uuid PRIMARY KEY,
  client_id     uuid NOT NULL,
  url           text NOT NULL,
  token_sealed  text NOT NULL,            -- sealed; the dispatcher and sync open it
  created_at    timestamptz NOT NULL,
  UNIQUE (client_id, url)
);

CREATE TABLE IF NOT EXISTS rm.users (
  id          uuid PRIMARY KEY,
  client_id   uuid NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS users_client ON rm.users (client_id);

CREATE TABLE IF NOT EXISTS rm.conversations (
  id              uuid PRIMARY KEY,
  client_id       uuid NOT NULL,
  user_id         uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  last_activity_at timestamptz NOT NULL,  -- creation or latest message: "most recent first"
  last_sequence   bigint NOT NULL DEFAULT 0,
  archived        boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS conversations_user_recent ON rm.conversations (client_id, user_id, last_activity_at DESC, id);

CREATE TABLE IF NOT EXISTS rm.messages (
  id              uuid PRIMARY KEY,
  conversation_id uuid NOT NULL,
  client_id       uuid NOT NULL,
  sequence        bigint NOT NULL,
  author_id       uuid,                   -- null: the bot
  payload         jsonb NOT NULL,
  payload_type    text NOT NULL,
  payload_known   boolean NOT NULL,
  source          text NOT NULL,          -- 'api' | 'channel'
  incoming_id     uuid,
  collect         boolean NOT NULL DEFAULT false,
  sent_on         timestamptz NOT NULL,
  UNIQUE (conversation_id, sequence)
);
CREATE INDEX IF NOT EXISTS messages_conversation_recent ON rm.messages (conversation_id, sequence DESC);

CREATE TABLE IF NOT EXISTS rm.endpoints (
  conversation_id uuid NOT NULL,
  client_id       uuid NOT NULL,
  channel_name    text NOT NULL,
  channel_version text NOT NULL,
  identity        text NOT NULL,
  sender          text NOT NULL,
  thread          text NOT NULL,
  linked_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, channel_name, channel_version, identity, sender, thread)
);

-- One row per message per channel endpoint (stream delivery-<id>); status callbacks find theirs by
-- the provider's message id.
CREATE TABLE IF NOT EXISTS rm.deliveries (
  id                  text PRIMARY KEY,   -- the delivery id: <messageId>-<channel>-<endpoint tag>
  message_id          uuid NOT NULL,
  client_id           uuid NOT NULL,
  conversation_id     uuid NOT NULL,
  channel             text NOT NULL,
  endpoint            jsonb NOT NULL,
  status              text NOT NULL,      -- queued | sent | delivered | read | failed | unknown
  provider_message_id text,               -- the first of provider_message_ids
  provider_message_ids text[] NOT NULL DEFAULT '{}', -- every id the provider gave, in send order
  reason              text,
  retryable           boolean,
  updated_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_message ON rm.deliveries (message_id);
CREATE INDEX IF NOT EXISTS deliveries_provider_message ON rm.deliveries (channel, provider_message_id);
-- Tables made before deliveries kept every provider id; their rows fill on the next rebuild.
ALTER TABLE rm.deliveries ADD COLUMN IF NOT EXISTS provider_message_ids text[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS deliveries_provider_messages ON rm.deliveries USING gin (provider_message_ids);
${aliasDdl}`;

/** Creates the read-model tables if missing; safe to run from several processes at once. */
export async function migrateReadModels(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('switchboard:rm:migrate'))`;
    await tx.unsafe(readModelDdl);
  });
}
