import { randomUUID } from 'node:crypto';
import { aliasIdOf } from '@switchboard/contracts';
import { hashToken, newToken } from '@switchboard/crypto';
import type postgres from 'postgres';

/**
 * Read-model rows for the dialect's integration tests, written the way the projector writes them:
 * the dialect only reads these tables, so its tests seed them directly (whole-stack tests in
 * test-e2e/src/alias-client.test.ts create them through commands).
 */
export interface SeededClient {
  id: string;
  secret: string;
}

export async function seedClient(sql: postgres.Sql): Promise<SeededClient> {
  const client = { id: randomUUID(), secret: newToken() };
  await sql`
    INSERT INTO rm.clients (id, name, token_hash, created_at, updated_at)
    VALUES (${client.id}, null, ${hashToken(client.secret)}, now(), now())`;
  return client;
}

export interface ConnectionSeed {
  scopes?: string[];
  channels?: string[];
  nickname?: string | null;
  revoked?: boolean;
  created: string;
  updated?: string;
}

export async function seedConnection(sql: postgres.Sql, clientId: string, seed: ConnectionSeed) {
  const userId = randomUUID();
  const aliasId = aliasIdOf(userId);
  const scopes = seed.scopes ?? ['openid', 'offline_access', 'contact', 'nickname'];
  await sql`
    INSERT INTO rm.alias_connections
      (client_id, alias_id, user_id, scopes, channels, nickname, offline, revoked, created_at, updated_at)
    VALUES (${clientId}, ${aliasId}, ${userId}, ${sql.array(scopes)}, ${sql.array(seed.channels ?? ['_meta', 'notifications'])},
            ${seed.nickname === undefined ? 'Fred' : seed.nickname}, ${scopes.includes('offline_access')},
            ${seed.revoked ?? false}, ${seed.created}, ${seed.updated ?? seed.created})`;
  return { userId, aliasId };
}

export interface OutboundSeed {
  outboundMessageId: string;
  channel?: string;
  status?: string;
  recipients?: { userId: string; aliasId: string; status: string; created: string; updated?: string }[];
  created: string;
  updated?: string;
}

export async function seedOutboundMessage(sql: postgres.Sql, clientId: string, seed: OutboundSeed) {
  const broadcastId = randomUUID();
  const channel = seed.channel ?? 'notifications';
  const recipients = seed.recipients ?? [];
  const count = (status: string) => recipients.filter((r) => r.status === status).length;
  await sql`
    INSERT INTO rm.alias_outbound_messages
      (broadcast_id, client_id, outbound_message_id, channel, audience_alias_id, title, recipient_count,
       delivered_count, failed_count, status, created_at, updated_at)
    VALUES (${broadcastId}, ${clientId}, ${seed.outboundMessageId}, ${channel}, null, 'A title',
            ${recipients.length}, ${count('delivered')}, ${count('failed')}, ${seed.status ?? 'sent'},
            ${seed.created}, ${seed.updated ?? seed.created})`;
  for (const r of recipients) {
    await sql`
      INSERT INTO rm.alias_deliveries
        (broadcast_id, user_id, client_id, outbound_message_id, alias_id, channel, status, created_at, updated_at)
      VALUES (${broadcastId}, ${r.userId}, ${clientId}, ${seed.outboundMessageId}, ${r.aliasId}, ${channel},
              ${r.status}, ${r.created}, ${r.updated ?? r.created})`;
  }
  return { broadcastId };
}

/** A client credentials token request; `scope` undefined asks for everything. */
export async function requestToken(baseUrl: string, client: SeededClient, scope?: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: client.id,
    client_secret: client.secret,
  });
  if (scope !== undefined) form.set('scope', scope);
  const res = await fetch(`${baseUrl}/oauth2/token`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
