import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * Where gateways hear which clients a batch changed, to drop them from their authentication caches:
 * sent in the batch's transaction, so it arrives when the change is committed (ids joined by commas;
 * `*` when they would not fit in a notification).
 */
export const clientsChangedChannel = 'rm_clients';

export async function announceChangedClients(sql: postgres.ISql, clientIds: ReadonlySet<string>) {
  if (clientIds.size === 0) return;
  const ids = [...clientIds].join(',');
  await sql`SELECT pg_notify(${clientsChangedChannel}, ${ids.length > 7_000 ? '*' : ids})`;
}

// A run may change one client, channel or webhook more than once; `ord` keeps the last change of each.

export async function insertClients(sql: postgres.ISql, events: ProjectedEvent<'ClientCreated'>[]) {
  const rows = events.map(({ data, created }) => ({
    id: data.clientId,
    name: data.name ?? null,
    token_hash: data.tokenHash,
    at: created,
  }));
  await sql`
    INSERT INTO rm.clients (id, name, token_hash, created_at, updated_at)
    SELECT r.id, r.name, r.token_hash, r.at, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(id uuid, name text, token_hash text, at timestamptz)`;
}

export async function renameClients(sql: postgres.ISql, events: ProjectedEvent<'ClientRenamed'>[]) {
  const rows = events.map(({ data, created }, ord) => ({
    ord,
    id: data.clientId,
    name: data.name,
    at: created,
  }));
  await sql`
    UPDATE rm.clients c SET name = r.name, updated_at = r.at
    FROM (
      SELECT DISTINCT ON (id) * FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS x(ord int, id uuid, name text, at timestamptz)
      ORDER BY id, ord DESC
    ) r
    WHERE c.id = r.id`;
}

export async function rotateClientTokens(sql: postgres.ISql, events: ProjectedEvent<'ClientTokenRotated'>[]) {
  const rows = events.map(({ data, created }, ord) => ({
    ord,
    id: data.clientId,
    token_hash: data.tokenHash,
    at: created,
  }));
  await sql`
    UPDATE rm.clients c SET token_hash = r.token_hash, updated_at = r.at
    FROM (
      SELECT DISTINCT ON (id) * FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS x(ord int, id uuid, token_hash text, at timestamptz)
      ORDER BY id, ord DESC
    ) r
    WHERE c.id = r.id`;
}

/** A reconfigured channel keeps its delivery status columns (last error, last success). */
export async function configureChannels(sql: postgres.ISql, events: ProjectedEvent<'ChannelConfigured'>[]) {
  const rows = events.map(({ data, created }, ord) => ({
    ord,
    client_id: data.clientId,
    channel: data.channel,
    enabled: data.enabled,
    config_sealed: data.sealedConfig,
    at: created,
  }));
  await sql`
    INSERT INTO rm.client_channels (client_id, channel, enabled, config_sealed, configured_at)
    SELECT DISTINCT ON (client_id, channel) client_id, channel, enabled, config_sealed, at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(ord int, client_id uuid, channel text, enabled boolean, config_sealed text, at timestamptz)
    ORDER BY client_id, channel, ord DESC
    ON CONFLICT (client_id, channel) DO UPDATE
      SET enabled = excluded.enabled, config_sealed = excluded.config_sealed,
          configured_at = excluded.configured_at`;
}

export async function removeChannels(sql: postgres.ISql, events: ProjectedEvent<'ChannelRemoved'>[]) {
  const rows = events.map(({ data }) => ({ client_id: data.clientId, channel: data.channel }));
  await sql`
    DELETE FROM rm.client_channels c
    USING jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(client_id uuid, channel text)
    WHERE c.client_id = r.client_id AND c.channel = r.channel`;
}

export async function addWebhooks(sql: postgres.ISql, events: ProjectedEvent<'WebhookAdded'>[]) {
  const rows = events.map(({ data, created }) => ({
    id: data.webhookId,
    client_id: data.clientId,
    url: data.url,
    token_sealed: data.sealedToken,
    at: created,
  }));
  await sql`
    INSERT INTO rm.webhooks (id, client_id, url, token_sealed, created_at)
    SELECT r.id, r.client_id, r.url, r.token_sealed, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(id uuid, client_id uuid, url text, token_sealed text, at timestamptz)`;
}

export async function removeWebhooks(sql: postgres.ISql, events: ProjectedEvent<'WebhookRemoved'>[]) {
  const rows = events.map(({ data }) => ({ id: data.webhookId, client_id: data.clientId }));
  await sql`
    DELETE FROM rm.webhooks w
    USING jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(id uuid, client_id uuid)
    WHERE w.id = r.id AND w.client_id = r.client_id`;
}
