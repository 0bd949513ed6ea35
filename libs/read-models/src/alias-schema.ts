/**
 * Connections and broadcasts (the Alias client API, and the fan-out's recipient resolution): part of
 * the read-model DDL (schema.ts), projected by the core projection.
 */
export const aliasDdl = /* sql */ `
-- One row per user that was ever granted a connection (stream user-<id>). The Alias API shows a
-- connection only when offline AND NOT revoked.
CREATE TABLE IF NOT EXISTS rm.alias_connections (
  client_id   uuid NOT NULL,
  alias_id    text NOT NULL,            -- aliasIdOf(user_id)
  user_id     uuid NOT NULL UNIQUE,
  scopes      text[] NOT NULL,          -- as granted: order kept, no repeats
  channels    text[] NOT NULL,
  nickname    text,
  offline     boolean NOT NULL,         -- 'offline_access' = ANY(scopes)
  revoked     boolean NOT NULL,
  created_at  timestamptz NOT NULL,     -- first grant (kept across a revoke and a new grant)
  updated_at  timestamptz NOT NULL,     -- last grant, update or revoke
  PRIMARY KEY (client_id, alias_id)
);
CREATE INDEX IF NOT EXISTS alias_connections_created ON rm.alias_connections (client_id, created_at, alias_id)
  WHERE offline AND NOT revoked;
CREATE INDEX IF NOT EXISTS alias_connections_updated ON rm.alias_connections (client_id, updated_at, alias_id)
  WHERE offline AND NOT revoked;
CREATE INDEX IF NOT EXISTS alias_connections_channels ON rm.alias_connections USING gin (channels);
CREATE INDEX IF NOT EXISTS alias_connections_scopes ON rm.alias_connections USING gin (scopes);

-- When each user could be reached on each topic (connection not revoked, offline_access and the topic
-- granted): a broadcast to a topic goes to the periods open at its requestedAt, whenever it is resolved.
CREATE TABLE IF NOT EXISTS rm.alias_channel_subscriptions (
  client_id  uuid NOT NULL,
  user_id    uuid NOT NULL,
  channel    text NOT NULL,
  since      timestamptz NOT NULL,
  until      timestamptz,               -- null: still subscribed
  PRIMARY KEY (user_id, channel, since)
);
CREATE INDEX IF NOT EXISTS alias_channel_subscriptions_resolve
  ON rm.alias_channel_subscriptions (client_id, channel, user_id);

-- One row per broadcast (stream broadcast-<id>); counts follow the recipients' streams as they finish.
CREATE TABLE IF NOT EXISTS rm.alias_outbound_messages (
  broadcast_id        uuid PRIMARY KEY,
  client_id           uuid NOT NULL,
  outbound_message_id text NOT NULL,
  channel             text NOT NULL,
  audience_alias_id   text,             -- null: to every subscriber of the channel ('*')
  title               text NOT NULL,
  body                text,
  link_uri            text,
  link_text           text,
  recipient_count     integer NOT NULL DEFAULT 0,   -- grows while pending, final once sending
  delivered_count     integer NOT NULL DEFAULT 0,
  failed_count        integer NOT NULL DEFAULT 0,
  status              text NOT NULL,                -- pending | sending | sent
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  UNIQUE (client_id, outbound_message_id)
);
CREATE INDEX IF NOT EXISTS alias_outbound_messages_created
  ON rm.alias_outbound_messages (client_id, created_at, outbound_message_id);
CREATE INDEX IF NOT EXISTS alias_outbound_messages_updated
  ON rm.alias_outbound_messages (client_id, updated_at, outbound_message_id);

-- One row per recipient of a broadcast (stream recipient-<broadcastId>-<userId>).
CREATE TABLE IF NOT EXISTS rm.alias_deliveries (
  broadcast_id        uuid NOT NULL,
  user_id             uuid NOT NULL,
  client_id           uuid NOT NULL,
  outbound_message_id text NOT NULL,
  alias_id            text NOT NULL,
  channel             text NOT NULL,
  status              text NOT NULL,    -- delivering | delivered | failed
  reason              text,             -- when failed: no_connection | connection_revoked | channel_revoked
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (broadcast_id, user_id),
  UNIQUE (broadcast_id, alias_id)
);
CREATE INDEX IF NOT EXISTS alias_deliveries_created ON rm.alias_deliveries (broadcast_id, created_at, alias_id);
CREATE INDEX IF NOT EXISTS alias_deliveries_updated ON rm.alias_deliveries (broadcast_id, updated_at, alias_id);

-- The in-app inbox: what a delivered broadcast left for its recipient.
CREATE TABLE IF NOT EXISTS rm.inbox_items (
  user_id      uuid NOT NULL,
  broadcast_id uuid NOT NULL,
  client_id    uuid NOT NULL,
  channel      text NOT NULL,
  title        text NOT NULL,
  body         text,
  link_uri     text,
  link_text    text,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (user_id, broadcast_id)
);
CREATE INDEX IF NOT EXISTS inbox_items_recent ON rm.inbox_items (client_id, user_id, created_at DESC);
`;
