import type postgres from 'postgres';

export interface AliasConnectionRow {
  clientId: string;
  aliasId: string;
  userId: string;
  scopes: string[];
  channels: string[];
  nickname: string | null;
  offline: boolean;
  revoked: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A user's connection with the client, revoked or not; null when the user never granted one. */
export async function findAliasConnection(
  sql: postgres.Sql,
  clientId: string,
  userId: string,
): Promise<AliasConnectionRow | null> {
  const [row] = await sql<AliasConnectionRow[]>`
    SELECT client_id AS "clientId", alias_id AS "aliasId", user_id AS "userId", scopes, channels, nickname,
           offline, revoked, created_at AS "createdAt", updated_at AS "updatedAt"
    FROM rm.alias_connections WHERE client_id = ${clientId} AND user_id = ${userId}`;
  return row ?? null;
}

/**
 * The next page of a topic's subscribers as they were at `at` (a broadcast's requestedAt), in user id
 * order after `after`: the same pages however late, or how many times, a broadcast is resolved.
 */
export async function topicSubscribersAt(
  sql: postgres.Sql,
  query: { clientId: string; channel: string; at: string; after: string | null; limit: number },
): Promise<string[]> {
  const rows = await sql<{ userId: string }[]>`
    SELECT user_id AS "userId" FROM rm.alias_channel_subscriptions
    WHERE client_id = ${query.clientId} AND channel = ${query.channel}
      AND since <= ${query.at} AND (until IS NULL OR until > ${query.at})
      AND user_id > ${query.after ?? '00000000-0000-0000-0000-000000000000'}
    ORDER BY user_id
    LIMIT ${query.limit}`;
  return rows.map((row) => row.userId);
}

export interface InboxItemRow {
  broadcastId: string;
  channel: string;
  title: string;
  body: string | null;
  linkUri: string | null;
  linkText: string | null;
  createdAt: Date;
}

/** A user's in-app inbox, newest first. */
export async function listInboxItems(
  sql: postgres.Sql,
  clientId: string,
  userId: string,
  limit = 50,
): Promise<InboxItemRow[]> {
  return sql<InboxItemRow[]>`
    SELECT broadcast_id AS "broadcastId", channel, title, body, link_uri AS "linkUri", link_text AS "linkText",
           created_at AS "createdAt"
    FROM rm.inbox_items WHERE client_id = ${clientId} AND user_id = ${userId}
    ORDER BY created_at DESC, broadcast_id LIMIT ${limit}`;
}
