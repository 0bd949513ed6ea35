import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

/**
 * Inserts a run of messages and moves each conversation's latest sequence and activity to its newest
 * message of the run, in one statement. Activity is the message's own `sentOn`, never the clock.
 */
export async function insertMessages(sql: postgres.ISql, events: ProjectedEvent<'MessagePosted'>[]) {
  const rows = events.map(({ data }) => ({
    id: data.messageId,
    conversation_id: data.conversationId,
    client_id: data.clientId,
    sequence: data.sequence,
    author_id: data.authorId,
    payload: data.payload,
    payload_type: data.payloadType,
    payload_known: data.payloadKnown,
    source: data.source,
    incoming_id: data.incomingId ?? null,
    collect: data.collect,
    sent_on: data.sentOn,
  }));
  await sql`
    WITH r AS (
      SELECT * FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb)
        AS x(id uuid, conversation_id uuid, client_id uuid, sequence bigint, author_id uuid, payload jsonb,
             payload_type text, payload_known boolean, source text, incoming_id uuid, collect boolean,
             sent_on timestamptz)
    ), inserted AS (
      INSERT INTO rm.messages (id, conversation_id, client_id, sequence, author_id, payload, payload_type,
                               payload_known, source, incoming_id, collect, sent_on)
      SELECT id, conversation_id, client_id, sequence, author_id, payload, payload_type, payload_known, source,
             incoming_id, collect, sent_on
      FROM r
    )
    UPDATE rm.conversations c SET last_sequence = latest.sequence, last_activity_at = latest.sent_on
    FROM (
      SELECT DISTINCT ON (conversation_id) conversation_id, sequence, sent_on FROM r
      ORDER BY conversation_id, sequence DESC
    ) latest
    WHERE c.id = latest.conversation_id AND latest.sequence > c.last_sequence`;
}

/** Idempotent: removing a message that is already gone changes nothing (libs/domain/README.md). */
export async function removeMessages(sql: postgres.ISql, events: ProjectedEvent<'MessageRemoved'>[]) {
  const rows = events.map(({ data }) => ({ id: data.messageId, conversation_id: data.conversationId }));
  await sql`
    DELETE FROM rm.messages m
    USING jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(id uuid, conversation_id uuid)
    WHERE m.id = r.id AND m.conversation_id = r.conversation_id`;
}

/** Every message of the conversation up to and including `upToSequence` goes. */
export async function clearMessages(sql: postgres.ISql, events: ProjectedEvent<'MessagesCleared'>[]) {
  const rows = events.map(({ data }) => ({ conversation_id: data.conversationId, up_to: data.upToSequence }));
  await sql`
    DELETE FROM rm.messages m
    USING (
      SELECT conversation_id, max(up_to) AS up_to
      FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS x(conversation_id uuid, up_to bigint)
      GROUP BY conversation_id
    ) r
    WHERE m.conversation_id = r.conversation_id AND m.sequence <= r.up_to`;
}
