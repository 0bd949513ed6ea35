/**
 * Baseline responder: the least a command handler can do. Serves BASELINE_SUBJECT in a queue group,
 * inserts one row per request into PostgreSQL and replies with its id. No validation, no state, no
 * event store: the floor the real path is compared with.
 */
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const sql = postgres(env('DATABASE_URL'), { max: 10, onnotice: () => {} });
await sql`CREATE SCHEMA IF NOT EXISTS bench_baseline`;
await sql`
  CREATE TABLE IF NOT EXISTS bench_baseline.messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL,
    payload         jsonb NOT NULL,
    created         timestamptz NOT NULL DEFAULT now()
  )`;

const nc = await connect({ servers: env('NATS_URL'), name: 'bench-baseline-responder' });
const sub = nc.subscribe(env('BASELINE_SUBJECT'), { queue: 'bench-baseline' });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const concurrency = 64;
const inFlight = new Set<Promise<void>>();

async function answer(data: Uint8Array, respond: (body: Uint8Array) => boolean): Promise<void> {
  const request = JSON.parse(decoder.decode(data)) as {
    id: string;
    conversationId: string;
    payload: unknown;
  };
  await sql`
    INSERT INTO bench_baseline.messages (id, conversation_id, payload)
    VALUES (${request.id}, ${request.conversationId}, ${sql.json(request.payload as postgres.JSONValue)})`;
  respond(encoder.encode(JSON.stringify({ status: 'ok', id: request.id })));
}

const loop = (async () => {
  for await (const msg of sub) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const task: Promise<void> = answer(msg.data, (body) => msg.respond(body))
      .catch((error) => {
        console.error('baseline responder failed', error);
        msg.respond(encoder.encode(JSON.stringify({ status: 'error' })));
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
})();
await nc.flush();
console.log('baseline responder ready');

const stop = async () => {
  await sub.drain();
  await loop;
  await nc.close();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
