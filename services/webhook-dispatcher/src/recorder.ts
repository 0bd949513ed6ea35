import type { JsMsg } from '@nats-io/jetstream';
import type { Bus, ConsumeOutcome, ConsumerHandle } from '@switchboard/bus';
import { outcome } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { parseRelayedEvent, type RelayedEvent } from '@switchboard/event-store';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { ConversationFactsCache } from './conversation-facts.js';
import { promoteHeads, type QueueKey } from './delivery-queue.js';
import { renderWebhookEvent, ruleFor, webhookBody } from './webhook-events.js';
import type { WebhookChange, WebhookOverlay, WebhookRegistry } from './webhook-registry.js';

export interface RecorderOptions {
  sql: postgres.Sql;
  bus: Bus;
  facts: ConversationFactsCache;
  registry: WebhookRegistry;
  logger: Logger;
  batchSize: number;
  retryWindowMs: number;
  /** Durable consumer name on EVENTS. */
  durable?: string;
  /** Called after deliveries were recorded and made due. */
  onRecorded?: () => void;
}

interface Received {
  seq: number;
  data: Uint8Array;
  settle(result: ConsumeOutcome): void;
}

interface EventRow {
  id: string;
  clientId: string;
  type: string;
  sourceType: string;
  streamName: string;
  commit: string;
  prepare: string;
  body: string;
  occurredAt: string;
  traceparent: string | null;
}

interface DeliveryRow {
  webhookId: string;
  clientId: string;
  eventId: string;
  orderingKey: string;
  commit: string;
  prepare: string;
}

class CheckpointMovedError extends Error {
  override name = 'CheckpointMovedError';
}

export const DEFAULT_DURABLE = 'webhook-dispatcher';
const decoder = new TextDecoder();

/**
 * Turns the `EVENTS` log into delivery rows: for each event a client's webhooks should hear of, one
 * event body and one delivery per webhook the client has at that point of the log. Only records and
 * acknowledges; sending is the scheduler's. Messages are taken in batches, each written in one
 * transaction with the last JetStream sequence recorded, and the batches are written one after the
 * other: recording is in log order and exactly once. A message that arrives ahead of one still
 * unacknowledged elsewhere (after a crash, redeliveries can come after newer messages) does not jump
 * the queue: the missing ones are read from the stream by sequence first.
 */
export class Recorder {
  readonly #o: RecorderOptions;
  readonly #durable: string;
  #handle: ConsumerHandle | undefined;
  #queue: Received[] = [];
  #draining: Promise<void> | undefined;
  /** The checkpoint as this recorder last wrote or read it; re-read when another recorder moved it. */
  #last: number | undefined;
  #stopping = false;
  #recorded = 0;

  constructor(options: RecorderOptions) {
    this.#o = options;
    this.#durable = options.durable ?? DEFAULT_DURABLE;
  }

  /** Events read from the log and recorded since start (delivered or not). */
  get recordedCount(): number {
    return this.#recorded;
  }

  get consuming(): boolean {
    return this.#handle !== undefined;
  }

  /** Resolves when consumption ended by itself (the error) or was stopped. */
  get done(): Promise<Error | undefined> | undefined {
    return this.#handle?.done;
  }

  async start(): Promise<void> {
    if (this.#handle) return;
    this.#stopping = false;
    this.#last = undefined;
    const batch = this.#o.batchSize;
    this.#handle = await this.#o.bus.consume({
      stream: this.#o.bus.names.streams.events,
      durable: this.#durable,
      // Never given up on: an event that cannot be recorded holds the log until it can.
      maxDeliver: -1,
      ackWaitMs: 60_000,
      concurrency: batch,
      maxAckPending: batch * 2,
      handler: (msg) => this.#receive(msg),
      onError: (err) => this.#o.logger.error({ err }, 'webhook recorder consumer error'),
    });
  }

  /** Stops taking messages; what was taken is recorded (or handed back) first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.stop();
    await this.#draining;
  }

  #receive(msg: JsMsg): Promise<ConsumeOutcome> {
    return new Promise((settle) => {
      this.#queue.push({ seq: msg.info.streamSequence, data: msg.data, settle });
      this.#draining ??= this.#drain();
    });
  }

  /**
   * Writes what was received, a batch at a time. Whatever arrives in the same turn of the event loop
   * goes into the first batch, and whatever arrives while a batch is written goes into the next one:
   * batches grow with the load instead of staying one turn's worth each.
   */
  async #drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#flush(batch);
    }
    this.#draining = undefined;
  }

  async #flush(batch: Received[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.#record(batch);
        for (const r of batch) r.settle(outcome.ack);
        return;
      } catch (err) {
        this.#last = undefined;
        if (err instanceof CheckpointMovedError) continue;
        this.#o.logger.error({ err, tries }, 'recording webhook deliveries failed; retrying');
        if (this.#stopping) {
          for (const r of batch) r.settle(outcome.retry(1_000, 'recording failed while stopping'));
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** tries)));
      }
    }
  }

  async #record(batch: Received[]): Promise<void> {
    const { sql, bus } = this.#o;
    const stream = bus.names.streams.events;
    const received = [...new Map(batch.map((r) => [r.seq, r])).values()].sort((a, b) => a.seq - b.seq);
    const first = received[0];
    if (!first) return;
    let missing = false;
    let cached = this.#last;
    if (cached === undefined) {
      const [row] = await sql<{ last_sequence: string }[]>`
        SELECT last_sequence FROM dispatch.recorder_checkpoints WHERE stream = ${stream}`;
      missing = !row;
      cached = row ? Number(row.last_sequence) : first.seq - 1;
    }
    const last = cached;
    const fresh = received.filter((r) => r.seq > last);
    const newest = fresh.at(-1);
    if (!newest) return;

    const inOrder: { seq: number; data: Uint8Array }[] = [];
    let expected = last + 1;
    for (const r of fresh) {
      for (; expected < r.seq; expected++) {
        const stored = await bus.jsm.streams.getMessage(stream, { seq: expected });
        if (stored) inOrder.push({ seq: expected, data: stored.data });
      }
      inOrder.push(r);
      expected = r.seq + 1;
    }

    const overlay = this.#o.registry.overlay();
    const events: EventRow[] = [];
    const deliveries: DeliveryRow[] = [];
    for (const item of inOrder) {
      const event = this.#parse(item);
      if (event) await this.#plan(event, overlay, events, deliveries);
    }

    if (missing) {
      await sql`
        INSERT INTO dispatch.recorder_checkpoints (stream, last_sequence) VALUES (${stream}, ${last})
        ON CONFLICT (stream) DO NOTHING`;
    }
    const stored = {
      stream,
      last,
      newest: newest.seq,
      events,
      deliveries,
      retryWindowMs: this.#o.retryWindowMs,
    };
    if (overlay.changes.length > 0) {
      await sql.begin(async (tx) => {
        await storeWebhookChanges(tx, overlay.changes);
        if (!(await storeBatch(tx, stored))) throw new CheckpointMovedError();
      });
    } else if (!(await storeBatch(sql, stored))) {
      throw new CheckpointMovedError();
    }
    overlay.commit();
    this.#last = newest.seq;
    this.#recorded += inOrder.length;

    if (deliveries.length > 0) {
      const keys = new Map<string, QueueKey>();
      for (const d of deliveries) {
        keys.set(`${d.webhookId} ${d.orderingKey}`, { webhookId: d.webhookId, orderingKey: d.orderingKey });
      }
      try {
        await promoteHeads(sql, [...keys.values()], { announce: true });
      } catch (err) {
        // Recorded all the same; the scheduler's periodic repair makes these queues due.
        this.#o.logger.error({ err }, 'making recorded webhook deliveries due failed');
      }
      this.#o.onRecorded?.();
    }
  }

  #parse(item: { seq: number; data: Uint8Array }): RelayedEvent | undefined {
    const event = parseRelayedEvent(decoder.decode(item.data), eventUpcasters);
    if (!event) this.#o.logger.error({ seq: item.seq }, 'not a relayed event; skipped');
    return event;
  }

  /** Adds what one event means for the webhooks: a registry change, or an event and its deliveries. */
  async #plan(
    event: RelayedEvent,
    overlay: WebhookOverlay,
    events: EventRow[],
    deliveries: DeliveryRow[],
  ): Promise<void> {
    const change = webhookChange(event);
    if (change) {
      overlay.apply(change);
      return;
    }
    const tenant = tenantOf(event);
    const rule = ruleFor(event);
    if (!tenant || !rule) return;
    const hooks = overlay.forClient(tenant);
    if (hooks.length === 0) return;
    const where = { eventId: event.id, type: event.type, stream: event.streamName };
    let rendered: ReturnType<typeof renderWebhookEvent>;
    try {
      let facts: Awaited<ReturnType<ConversationFactsCache['get']>>;
      if (rule.needsConversation) {
        const conversationId = (event.data as { conversationId?: unknown }).conversationId;
        facts = typeof conversationId === 'string' ? await this.#o.facts.get(conversationId) : undefined;
        if (!facts) {
          this.#o.logger.error(
            where,
            'the conversation of an event has no ConversationStarted; not delivered',
          );
          return;
        }
      }
      rendered = renderWebhookEvent(event, facts);
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidEventError') {
        this.#o.logger.error({ ...where, err }, 'stored event does not fit its schema; not delivered');
        return;
      }
      throw err;
    }
    if (!rendered) return;
    events.push({
      id: event.id,
      clientId: tenant,
      type: rendered.type,
      sourceType: event.type,
      streamName: event.streamName,
      commit: event.position.commit.toString(),
      prepare: event.position.prepare.toString(),
      body: webhookBody(event.id, rendered),
      occurredAt: event.created,
      traceparent: typeof event.metadata.traceparent === 'string' ? event.metadata.traceparent : null,
    });
    for (const hook of hooks) {
      deliveries.push({
        webhookId: hook.id,
        clientId: tenant,
        eventId: event.id,
        // One queue per stream: a conversation's events stay in order, other streams are not held up.
        orderingKey: event.streamName,
        commit: event.position.commit.toString(),
        prepare: event.position.prepare.toString(),
      });
    }
  }
}

/** The client an event belongs to: its `tenant` metadata, else its data's `clientId`. */
function tenantOf(event: RelayedEvent): string | undefined {
  const tenant = event.metadata.tenant;
  if (typeof tenant === 'string' && tenant.length > 0) return tenant;
  const clientId = (event.data as { clientId?: unknown } | null)?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}

function webhookChange(event: RelayedEvent): WebhookChange | undefined {
  const d = event.data as Record<string, unknown>;
  if (event.type === 'WebhookAdded') {
    if (typeof d.webhookId !== 'string' || typeof d.clientId !== 'string') return undefined;
    return {
      kind: 'added',
      webhook: {
        id: d.webhookId,
        clientId: d.clientId,
        url: String(d.url),
        tokenSealed: String(d.sealedToken),
      },
    };
  }
  if (event.type === 'WebhookRemoved') {
    if (typeof d.webhookId !== 'string' || typeof d.clientId !== 'string') return undefined;
    return { kind: 'removed', id: d.webhookId, clientId: d.clientId };
  }
  return undefined;
}

async function storeWebhookChanges(tx: postgres.TransactionSql, changes: WebhookChange[]): Promise<void> {
  for (const change of changes) {
    if (change.kind === 'added') {
      const w = change.webhook;
      await tx`
        INSERT INTO dispatch.webhooks (id, client_id, url, token_sealed)
        VALUES (${w.id}, ${w.clientId}, ${w.url}, ${w.tokenSealed})
        ON CONFLICT (id) DO NOTHING`;
    } else {
      await tx`UPDATE dispatch.webhooks SET removed_at = now() WHERE id = ${change.id} AND removed_at IS NULL`;
    }
  }
}

/**
 * Writes a batch's events and deliveries and advances the checkpoint from `last` to `newest`, in one
 * statement (so one transaction, one round trip); writes nothing and answers false when the checkpoint
 * is no longer at `last` (another recorder moved it).
 */
async function storeBatch(
  sql: postgres.Sql | postgres.TransactionSql,
  b: {
    stream: string;
    last: number;
    newest: number;
    events: EventRow[];
    deliveries: DeliveryRow[];
    retryWindowMs: number;
  },
): Promise<boolean> {
  const ev = <K extends keyof EventRow>(k: K) => sql.array(b.events.map((r) => r[k]));
  const dl = <K extends keyof DeliveryRow>(k: K) => sql.array(b.deliveries.map((r) => r[k]));
  const [result] = await sql<{ advanced: number }[]>`
    WITH cp AS (
      UPDATE dispatch.recorder_checkpoints SET last_sequence = ${b.newest}, updated_at = now()
      WHERE stream = ${b.stream} AND last_sequence = ${b.last}
      RETURNING 1
    ), events AS (
      INSERT INTO dispatch.events
        (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at,
         traceparent)
      SELECT * FROM unnest(
        ${ev('id')}::uuid[], ${ev('clientId')}::uuid[], ${ev('type')}::text[], ${ev('sourceType')}::text[],
        ${ev('streamName')}::text[], ${ev('commit')}::bigint[], ${ev('prepare')}::bigint[],
        ${ev('body')}::text[], ${ev('occurredAt')}::timestamptz[], ${ev('traceparent')}::text[])
      WHERE EXISTS (SELECT 1 FROM cp)
      ON CONFLICT (id) DO NOTHING
    ), deliveries AS (
      INSERT INTO dispatch.deliveries
        (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare, deadline_at)
      SELECT w, c, e, k, pc, pp, now() + ${b.retryWindowMs}::float8 * interval '1 millisecond'
      FROM unnest(
        ${dl('webhookId')}::uuid[], ${dl('clientId')}::uuid[], ${dl('eventId')}::uuid[],
        ${dl('orderingKey')}::text[], ${dl('commit')}::bigint[], ${dl('prepare')}::bigint[])
        AS t(w, c, e, k, pc, pp)
      WHERE EXISTS (SELECT 1 FROM cp)
      ON CONFLICT (webhook_id, event_id) DO NOTHING
    )
    SELECT count(*)::int AS advanced FROM cp`;
  return (result?.advanced ?? 0) > 0;
}
