import type postgres from 'postgres';
import { Type } from 'typebox';
import type { App, RouteDeps } from './plugin-types.js';
import { ErrorBody, Limit, Uuid } from './schemas.js';

const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
  Type.Literal('dead'),
]);

const Attempt = Type.Object({
  attempt: Type.Integer(),
  startedOn: Type.String({ format: 'date-time' }),
  latencyMs: Type.Integer(),
  statusCode: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  outcome: Type.Union([
    Type.Literal('delivered'),
    Type.Literal('retry'),
    Type.Literal('failed'),
    Type.Literal('dead'),
  ]),
});

const Delivery = Type.Object({
  id: Type.String({ description: 'delivery id' }),
  webhookId: Uuid,
  url: Type.String(),
  eventId: Uuid,
  eventType: Type.String({ description: 'message.new, conversation.started, user.new, …' }),
  status: DeliveryStatus,
  createdOn: Type.String({ format: 'date-time' }),
  updatedOn: Type.String({ format: 'date-time' }),
  finishedOn: Type.Optional(Type.String({ format: 'date-time' })),
  nextAttemptOn: Type.Optional(Type.String({ format: 'date-time' })),
  deadline: Type.String({ format: 'date-time', description: 'retried until then, then dead-lettered' }),
  attempts: Type.Array(Attempt),
});

interface DeliveryRow {
  id: string;
  webhook_id: string;
  url: string;
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  next_attempt_at: Date | null;
  deadline_at: Date;
  attempts: {
    attempt: number;
    started_at: string;
    latency_ms: number;
    status_code: number | null;
    error: string | null;
    outcome: 'delivered' | 'retry' | 'failed' | 'dead';
  }[];
}

const UNDEFINED_TABLE = '42P01';

/**
 * `GET /webhooks/deliveries`: the authenticated client's webhook deliveries (the webhook dispatcher's
 * own tables, schema `dispatch`), newest first, each with every attempt made. Never another client's.
 */
export function webhookDeliveryRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  app.get(
    '/webhooks/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: "List the client's webhook deliveries and their attempts, newest first",
        security,
        querystring: Type.Object({
          status: Type.Optional(DeliveryStatus),
          webhookId: Type.Optional(Uuid),
          limit: Type.Optional(Limit),
          before: Type.Optional(
            Type.String({ pattern: '^[0-9]{1,18}$', description: 'only deliveries older than this id' }),
          ),
        }),
        response: { 200: Type.Array(Delivery), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const { status, webhookId, before } = request.query;
      let rows: DeliveryRow[];
      try {
        rows = await listDeliveries(deps.sql, {
          clientId,
          status,
          webhookId,
          before,
          limit: request.query.limit ?? 20,
        });
      } catch (err) {
        // The dispatcher has never run against this database: there is nothing to list.
        if ((err as { code?: string }).code === UNDEFINED_TABLE) return [];
        throw err;
      }
      return rows.map(deliveryView);
    },
  );
}

async function listDeliveries(
  sql: postgres.Sql,
  q: { clientId: string; status?: string; webhookId?: string; before?: string; limit: number },
): Promise<DeliveryRow[]> {
  return sql<DeliveryRow[]>`
    SELECT d.id, d.webhook_id, w.url, d.event_id, e.type, d.status, d.created_at, d.updated_at,
           d.finished_at,
           CASE WHEN d.status = 'pending' AND d.next_attempt_at < 'infinity' THEN d.next_attempt_at END
             AS next_attempt_at,
           d.deadline_at,
           coalesce((
             SELECT json_agg(json_build_object(
                      'attempt', a.attempt, 'started_at', a.started_at, 'latency_ms', a.latency_ms,
                      'status_code', a.status_code, 'error', a.error, 'outcome', a.outcome)
                    ORDER BY a.attempt)
             FROM dispatch.attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
    FROM dispatch.deliveries d
    JOIN dispatch.events e ON e.id = d.event_id
    JOIN dispatch.webhooks w ON w.id = d.webhook_id
    WHERE d.client_id = ${q.clientId}
      ${q.status ? sql`AND d.status = ${q.status}` : sql``}
      ${q.webhookId ? sql`AND d.webhook_id = ${q.webhookId}` : sql``}
      ${q.before ? sql`AND d.id < ${q.before}` : sql``}
    ORDER BY d.id DESC
    LIMIT ${q.limit}`;
}

function deliveryView(r: DeliveryRow) {
  return {
    id: String(r.id),
    webhookId: r.webhook_id,
    url: r.url,
    eventId: r.event_id,
    eventType: r.type,
    status: r.status,
    createdOn: r.created_at.toISOString(),
    updatedOn: r.updated_at.toISOString(),
    ...(r.finished_at ? { finishedOn: r.finished_at.toISOString() } : {}),
    ...(r.next_attempt_at ? { nextAttemptOn: r.next_attempt_at.toISOString() } : {}),
    deadline: r.deadline_at.toISOString(),
    attempts: r.attempts.map((a) => ({
      attempt: a.attempt,
      startedOn: new Date(a.started_at).toISOString(),
      latencyMs: a.latency_ms,
      ...(a.status_code !== null ? { statusCode: a.status_code } : {}),
      ...(a.error !== null ? { error: a.error } : {}),
      outcome: a.outcome,
    })),
  };
}
