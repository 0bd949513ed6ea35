import { aliasIdOf, OFFLINE_ACCESS, reachableTopics } from '@switchboard/contracts';
import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * `rm.alias_connections` (a user's current grant) and `rm.alias_channel_subscriptions` (when the user
 * could be reached on each topic). Each statement takes a user once, so a run naming a user twice is
 * applied in parts, in order.
 */

type Change = {
  user_id: string;
  client_id: string;
  at: string;
  /** Topics the user can be reached on after the event: none when revoked or without offline access. */
  reachable: string[];
};

export async function grantConnections(
  sql: postgres.ISql,
  events: readonly (ProjectedEvent<'ConnectionGranted'> | ProjectedEvent<'ConnectionUpdated'>)[],
) {
  for (const part of onePerUser(events)) {
    const rows = part.map(({ data }) => ({
      client_id: data.clientId,
      alias_id: aliasIdOf(data.userId),
      user_id: data.userId,
      scopes: data.scopes,
      channels: data.channels,
      nickname: data.nickname,
      offline: data.scopes.includes(OFFLINE_ACCESS),
      at: data.at,
    }));
    await sql`
      INSERT INTO rm.alias_connections AS c
        (client_id, alias_id, user_id, scopes, channels, nickname, offline, revoked, created_at, updated_at)
      SELECT r.client_id, r.alias_id, r.user_id, r.scopes, r.channels, r.nickname, r.offline, false, r.at, r.at
      FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS r(client_id uuid, alias_id text, user_id uuid, scopes text[], channels text[], nickname text,
             offline boolean, at timestamptz)
      ON CONFLICT (client_id, alias_id) DO UPDATE
      SET scopes = excluded.scopes, channels = excluded.channels, nickname = excluded.nickname,
          offline = excluded.offline, revoked = false, updated_at = excluded.updated_at`;
    await changeSubscriptions(
      sql,
      part.map(({ data }) => ({
        user_id: data.userId,
        client_id: data.clientId,
        at: data.at,
        reachable: [...reachableTopics(data)],
      })),
    );
  }
}

export async function revokeConnections(sql: postgres.ISql, events: ProjectedEvent<'ConnectionRevoked'>[]) {
  for (const part of onePerUser(events)) {
    const rows = part.map(({ data }) => ({ user_id: data.userId, client_id: data.clientId, at: data.at }));
    await sql`
      UPDATE rm.alias_connections c SET revoked = true, updated_at = r.at
      FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(user_id uuid, at timestamptz)
      WHERE c.user_id = r.user_id`;
    await changeSubscriptions(
      sql,
      rows.map((row) => ({ ...row, reachable: [] })),
    );
  }
}

/** Closes the periods of topics no longer reachable and opens those of topics newly reachable. */
async function changeSubscriptions(sql: postgres.ISql, changes: Change[]) {
  const rows = jsonRows(sql, changes);
  await sql`
    UPDATE rm.alias_channel_subscriptions s SET until = r.at
    FROM jsonb_to_recordset(${rows}::jsonb) AS r(user_id uuid, at timestamptz, reachable text[])
    WHERE s.user_id = r.user_id AND s.until IS NULL AND NOT (s.channel = ANY(r.reachable))`;
  // Closed and opened again at the same instant: the period simply goes on.
  await sql`
    INSERT INTO rm.alias_channel_subscriptions AS s (client_id, user_id, channel, since)
    SELECT r.client_id, r.user_id, topic, r.at
    FROM jsonb_to_recordset(${rows}::jsonb)
      AS r(client_id uuid, user_id uuid, at timestamptz, reachable text[])
    CROSS JOIN LATERAL unnest(r.reachable) AS topic
    WHERE NOT EXISTS (
      SELECT 1 FROM rm.alias_channel_subscriptions o
      WHERE o.user_id = r.user_id AND o.channel = topic AND o.until IS NULL)
    ON CONFLICT (user_id, channel, since) DO UPDATE SET until = NULL`;
}

/** Splits events into consecutive parts in which each user appears at most once. */
function onePerUser<E extends { data: { userId: string } }>(events: readonly E[]): E[][] {
  const parts: E[][] = [];
  let part: E[] = [];
  let users = new Set<string>();
  for (const event of events) {
    if (users.has(event.data.userId)) {
      parts.push(part);
      part = [];
      users = new Set();
    }
    part.push(event);
    users.add(event.data.userId);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
