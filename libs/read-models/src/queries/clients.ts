import type postgres from 'postgres';

export interface ClientRow {
  id: string;
  name: string | null;
  tokenHash: string;
}

export interface WebhookRow {
  id: string;
  url: string;
  tokenSealed: string;
}

export interface ChannelRow {
  channel: string;
  enabled: boolean;
  configuredAt: Date;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSuccessAt: Date | null;
}

export async function findClient(sql: postgres.Sql, id: string): Promise<ClientRow | null> {
  const [row] = await sql<ClientRow[]>`
    SELECT id, name, token_hash AS "tokenHash" FROM rm.clients WHERE id = ${id}`;
  return row ?? null;
}

export async function listWebhooks(sql: postgres.Sql, clientId: string): Promise<WebhookRow[]> {
  return sql<WebhookRow[]>`
    SELECT id, url, token_sealed AS "tokenSealed" FROM rm.webhooks
    WHERE client_id = ${clientId} ORDER BY created_at, url`;
}

export async function listChannels(sql: postgres.Sql, clientId: string): Promise<ChannelRow[]> {
  return sql<ChannelRow[]>`
    SELECT channel, enabled, configured_at AS "configuredAt", last_error AS "lastError",
           last_error_at AS "lastErrorAt", last_success_at AS "lastSuccessAt"
    FROM rm.client_channels WHERE client_id = ${clientId} ORDER BY channel`;
}
