/**
 * Baseline HTTP server: a bare Fastify app with the two routes the benchmark compares the gateway
 * with. POST /baseline/messages → NATS request → the baseline responder inserts one row → reply → 201;
 * GET /baseline/messages/conversation/:id → one SELECT of the newest 20 rows of rm.messages. No auth,
 * no read-your-writes, no tracing.
 */
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';
import postgres from 'postgres';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const sql = postgres(env('DATABASE_URL'), { max: 20, onnotice: () => {} });
const nc = await connect({ servers: env('NATS_URL'), name: 'bench-baseline-http' });
const subject = env('BASELINE_SUBJECT');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const app = Fastify({ logger: false });

app.get('/readyz', async () => ({ status: 'ready' }));

app.post<{ Body: { conversationId: string; payload: unknown } }>(
  '/baseline/messages',
  async (request, reply) => {
    const id = randomUUID();
    const answer = await nc.request(
      subject,
      encoder.encode(
        JSON.stringify({ id, conversationId: request.body.conversationId, payload: request.body.payload }),
      ),
      { timeout: 5_000 },
    );
    const result = JSON.parse(decoder.decode(answer.data)) as { status: string };
    if (result.status !== 'ok') return reply.code(500).send({ message: 'responder failed' });
    return reply
      .code(201)
      .send({ id, conversationId: request.body.conversationId, payload: request.body.payload });
  },
);

app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
  '/baseline/messages/conversation/:id',
  async (request) => {
    const limit = Math.min(Number(request.query.limit ?? 20) || 20, 100);
    const rows = await sql<
      { id: string; conversationId: string; authorId: string | null; sentOn: Date; payload: unknown }[]
    >`
      SELECT id, conversation_id AS "conversationId", author_id AS "authorId", sent_on AS "sentOn", payload
      FROM rm.messages WHERE conversation_id = ${request.params.id}
      ORDER BY sequence DESC LIMIT ${limit}`;
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversationId,
      ...(r.authorId ? { authorId: r.authorId } : {}),
      sentOn: r.sentOn.toISOString(),
      payload: r.payload,
    }));
  },
);

await app.listen({ host: '127.0.0.1', port: Number(env('PORT')) });

const stop = async () => {
  await app.close();
  await nc.drain();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
