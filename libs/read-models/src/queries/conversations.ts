import type postgres from 'postgres';

export interface UserRow {
  id: string;
  clientId: string;
  createdAt: Date;
}

export interface ConversationRow {
  id: string;
  clientId: string;
  userId: string;
  createdAt: Date;
}

export interface MessageRow {
  id: string;
  conversationId: string;
  clientId: string;
  sequence: string;
  authorId: string | null;
  payload: Record<string, unknown>;
  payloadType: string;
  payloadKnown: boolean;
  source: string;
  incomingId: string | null;
  collect: boolean;
  sentOn: Date;
}

export interface EndpointRow {
  channelName: string;
  channelVersion: string;
  identity: string;
  sender: string;
  thread: string;
}

// Every query takes the client id: a row of another tenant is never found, so it answers 404.

export async function findUser(sql: postgres.Sql, clientId: string, id: string): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT id, client_id AS "clientId", created_at AS "createdAt"
    FROM rm.users WHERE id = ${id} AND client_id = ${clientId}`;
  return row ?? null;
}

export async function findConversation(
  sql: postgres.Sql,
  clientId: string,
  id: string,
): Promise<ConversationRow | null> {
  const [row] = await sql<ConversationRow[]>`
    SELECT id, client_id AS "clientId", user_id AS "userId", created_at AS "createdAt"
    FROM rm.conversations WHERE id = ${id} AND client_id = ${clientId}`;
  return row ?? null;
}

/** A user's conversations, the most recently active first. */
export async function listUserConversations(
  sql: postgres.Sql,
  clientId: string,
  userId: string,
  limit: number,
): Promise<ConversationRow[]> {
  return sql<ConversationRow[]>`
    SELECT id, client_id AS "clientId", user_id AS "userId", created_at AS "createdAt"
    FROM rm.conversations WHERE client_id = ${clientId} AND user_id = ${userId}
    ORDER BY last_activity_at DESC, id LIMIT ${limit}`;
}

const messageColumns = (sql: postgres.Sql) => sql`
  id, conversation_id AS "conversationId", client_id AS "clientId", sequence::text AS sequence,
  author_id AS "authorId", payload, payload_type AS "payloadType", payload_known AS "payloadKnown",
  source, incoming_id AS "incomingId", collect, sent_on AS "sentOn"`;

export async function findMessage(
  sql: postgres.Sql,
  clientId: string,
  id: string,
): Promise<MessageRow | null> {
  const [row] = await sql<MessageRow[]>`
    SELECT ${messageColumns(sql)} FROM rm.messages WHERE id = ${id} AND client_id = ${clientId}`;
  return row ?? null;
}

/**
 * A conversation's messages, newest first; `before` keeps only messages sent before that time. Ordered by
 * the table's numeric `m.sequence`: a bare `sequence` would name the text output column (10 before 9).
 */
export async function listConversationMessages(
  sql: postgres.Sql,
  clientId: string,
  conversationId: string,
  limit: number,
  before?: Date,
): Promise<MessageRow[]> {
  return sql<MessageRow[]>`
    SELECT ${messageColumns(sql)} FROM rm.messages m
    WHERE conversation_id = ${conversationId} AND client_id = ${clientId}
      ${before ? sql`AND sent_on < ${before}` : sql``}
    ORDER BY m.sequence DESC LIMIT ${limit}`;
}

export async function listConversationEndpoints(
  sql: postgres.Sql,
  clientId: string,
  conversationId: string,
): Promise<EndpointRow[]> {
  return sql<EndpointRow[]>`
    SELECT channel_name AS "channelName", channel_version AS "channelVersion", identity, sender, thread
    FROM rm.endpoints WHERE conversation_id = ${conversationId} AND client_id = ${clientId}
    ORDER BY linked_at, channel_name, identity, sender, thread`;
}
