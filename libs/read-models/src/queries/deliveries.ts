import type { Endpoint } from '@switchboard/contracts';
import type postgres from 'postgres';

export interface DeliveryRow {
  id: string;
  messageId: string;
  conversationId: string;
  channel: string;
  endpoint: Endpoint;
  status: string;
  /** The first of `providerMessageIds`. */
  providerMessageId: string | null;
  /** Every id the provider gave the message, in send order. */
  providerMessageIds: string[];
  reason: string | null;
  retryable: boolean | null;
  updatedAt: Date;
}

const deliveryColumns = (sql: postgres.Sql) => sql`
  id, message_id AS "messageId", conversation_id AS "conversationId", channel, endpoint, status,
  provider_message_id AS "providerMessageId", provider_message_ids AS "providerMessageIds", reason, retryable, updated_at AS "updatedAt"`;

/** The deliveries of each of the given messages of a client, by message id (oldest first). */
export async function listMessageDeliveries(
  sql: postgres.Sql,
  clientId: string,
  messageIds: readonly string[],
): Promise<Map<string, DeliveryRow[]>> {
  const byMessage = new Map<string, DeliveryRow[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await sql<DeliveryRow[]>`
    SELECT ${deliveryColumns(sql)} FROM rm.deliveries
    WHERE message_id = ANY(${sql.array(messageIds as string[])}::uuid[]) AND client_id = ${clientId}
    ORDER BY updated_at, id`;
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    list.push(row);
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/**
 * The delivery a provider's status callback is about: by any of the ids the provider gave our message
 * (a message sent in several requests has several). `provider_message_id` finds rows projected before
 * the list existed.
 */
export async function findDeliveryByProviderMessageId(
  sql: postgres.Sql,
  clientId: string,
  channel: string,
  providerMessageId: string,
): Promise<DeliveryRow | null> {
  const [row] = await sql<DeliveryRow[]>`
    SELECT ${deliveryColumns(sql)} FROM rm.deliveries
    WHERE channel = ${channel} AND client_id = ${clientId}
      AND (provider_message_ids @> ARRAY[${providerMessageId}]::text[] OR provider_message_id = ${providerMessageId})
    ORDER BY updated_at DESC LIMIT 1`;
  return row ?? null;
}
