import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/** A new conversation's latest activity is its creation, until a message is posted. */
export async function insertConversations(
  sql: postgres.ISql,
  events: ProjectedEvent<'ConversationStarted'>[],
) {
  const rows = events.map(({ data, created }) => ({
    id: data.conversationId,
    client_id: data.clientId,
    user_id: data.userId,
    at: created,
  }));
  await sql`
    INSERT INTO rm.conversations (id, client_id, user_id, created_at, last_activity_at, last_sequence)
    SELECT r.id, r.client_id, r.user_id, r.at, r.at, 0
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(id uuid, client_id uuid, user_id uuid, at timestamptz)`;
}

export async function archiveConversations(
  sql: postgres.ISql,
  events: ProjectedEvent<'ConversationArchived'>[],
) {
  const rows = events.map(({ data }) => ({ id: data.conversationId, client_id: data.clientId }));
  await sql`
    UPDATE rm.conversations c SET archived = true
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(id uuid, client_id uuid)
    WHERE c.id = r.id AND c.client_id = r.client_id`;
}

export async function linkEndpoints(sql: postgres.ISql, events: ProjectedEvent<'EndpointLinked'>[]) {
  const rows = events.map(({ data, created }) => ({
    conversation_id: data.conversationId,
    client_id: data.clientId,
    channel_name: data.endpoint.channel.name,
    channel_version: data.endpoint.channel.version,
    identity: data.endpoint.identity,
    sender: data.endpoint.sender,
    thread: data.endpoint.thread,
    at: created,
  }));
  await sql`
    INSERT INTO rm.endpoints
      (conversation_id, client_id, channel_name, channel_version, identity, sender, thread, linked_at)
    SELECT r.conversation_id, r.client_id, r.channel_name, r.channel_version, r.identity, r.sender, r.thread, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
      AS r(conversation_id uuid, client_id uuid, channel_name text, channel_version text, identity text,
           sender text, thread text, at timestamptz)`;
}
