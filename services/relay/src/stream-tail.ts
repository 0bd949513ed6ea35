import type { Bus } from '@switchboard/bus';
import type { Position } from '@switchboard/event-store';
import type postgres from 'postgres';

/** What the JetStream stream itself says about what was published last. */
export interface StreamTail {
  /** `Nats-Msg-Id` of the stream's last message: what the next publish must expect. */
  lastMsgId: string | undefined;
  /** The latest message that is a relayed event (its id is an event id in the store), and its position. */
  lastEvent: { id: string; position: Position } | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the stream's tail backwards to its latest relayed event. Usually that is the last message;
 * messages published by others (a dead letter re-driven into EVENTS) are stepped over, up to `maxScan`.
 */
export async function readStreamTail(
  bus: Bus,
  sql: postgres.Sql,
  stream: string,
  maxScan = 1_000,
): Promise<StreamTail> {
  const { state } = await bus.jsm.streams.info(stream);
  if (state.messages === 0) return { lastMsgId: undefined, lastEvent: undefined };
  let lastMsgId: string | undefined;
  const stop = Math.max(state.first_seq, state.last_seq - maxScan + 1);
  for (let seq = state.last_seq; seq >= stop; seq--) {
    const msg = await bus.jsm.streams.getMessage(stream, { seq }).catch((err: unknown) => {
      if (err instanceof Error && /no message found/i.test(err.message)) return null;
      throw err;
    });
    if (!msg) continue; // deleted
    const msgId = msg.header?.get('Nats-Msg-Id') || undefined;
    if (seq === state.last_seq) lastMsgId = msgId;
    if (!msgId || !UUID.test(msgId)) continue;
    const position = await eventPosition(sql, msgId);
    if (position) return { lastMsgId, lastEvent: { id: msgId, position } };
  }
  return { lastMsgId, lastEvent: undefined };
}

async function eventPosition(sql: postgres.Sql, eventId: string): Promise<Position | undefined> {
  const [row] = await sql<{ commit: string; prepare: string }[]>`
    SELECT transaction_id::text AS commit, global_position::text AS prepare
    FROM es.events WHERE event_id = ${eventId}::uuid`;
  return row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : undefined;
}
