import type postgres from 'postgres';
import type { EndpointRow, MessageRow } from './conversations.js';

/** A client's configuration of one channel, still sealed: only the services holding the key open it. */
export interface ChannelConfigRow {
  enabled: boolean;
  configSealed: string;
}

export async function findChannelConfig(
  sql: postgres.Sql,
  clientId: string,
  channel: string,
): Promise<ChannelConfigRow | null> {
  const [row] = await sql<ChannelConfigRow[]>`
    SELECT enabled, config_sealed AS "configSealed" FROM rm.client_channels
    WHERE client_id = ${clientId} AND channel = ${channel}`;
  return row ?? null;
}

/** The endpoints of one channel a conversation is linked to: where its bot messages go on that channel. */
export async function listConversationChannelEndpoints(
  sql: postgres.Sql,
  clientId: string,
  conversationId: string,
  channel: string,
): Promise<EndpointRow[]> {
  return sql<EndpointRow[]>`
    SELECT channel_name AS "channelName", channel_version AS "channelVersion", identity, sender, thread
    FROM rm.endpoints
    WHERE conversation_id = ${conversationId} AND client_id = ${clientId} AND channel_name = ${channel}
    ORDER BY linked_at, channel_version, identity, sender, thread`;
}

/** The latest message the bot posted in a conversation (what a person's short reply answers). */
export async function latestBotMessage(
  sql: postgres.Sql,
  clientId: string,
  conversationId: string,
): Promise<Pick<MessageRow, 'id' | 'payload' | 'sequence'> | null> {
  const [row] = await sql<Pick<MessageRow, 'id' | 'payload' | 'sequence'>[]>`
    SELECT id, payload, sequence::text AS sequence FROM rm.messages m
    WHERE conversation_id = ${conversationId} AND client_id = ${clientId} AND author_id IS NULL
    ORDER BY m.sequence DESC LIMIT 1`;
  return row ?? null;
}
