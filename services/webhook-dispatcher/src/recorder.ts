import type { JsMsg } from '@nats-io/jetstream';
import type { Bus, ConsumeOutcome, ConsumerHandle } from '@switchboard/bus';
import { outcome } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { parseRelayedEvent, type RelayedEvent } from '@switchboard/event-store';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { ConversationFactsCache } from './conversation-facts.js';
import { promoteHeads, type QueueKey } from './delivery-queue.js';
import { type ExpressItem, type ExpressLane, type ExpressLedger, queueId } from './express-lane.js';
import { type FreshDelivery, reserveIdsSql } from './express-store.js';
import { type PackedValue, packed } from './packed-column.js';
import { Settlement } from './settlement.js';
import { untilWritten } from './until-written.js';
import { type ConversationFacts, renderWebhookEvent, ruleFor, webhookBody } from './webhook-events.js';
import { type WebhookChange, type WebhookOverlay, WebhookRegistry } from './webhook-registry.js';

export interface RecorderOptions {
  sql: postgres.Sql;
  bus: Bus;
  facts: ConversationFactsCache;
  logger: Logger;
  batchSize: number;
  retryWindowMs: number;
  /** Durable consumer name on EVENTS. */
  durable?: string;
  /** Called after deliveries were recorded and made due. */
  onRecorded?: () => void;
  /**
   * Where fresh deliveries of queues with nothing in the database go: sent from memory and written once
   * finished. Without it every delivery is a row first.
   */
  express?: ExpressLane;
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
  /** What sending it from memory needs. */
  seq: number;
  eventType: string;
  body: string;
  url: string;
  tokenSealed: string;
  traceparent: string | null;
}

export const DEFAULT_DURABLE = 'webhook-dispatcher';
/** How long a batch smaller than the batch size waits for more messages before it is recorded. */
const BATCH_LINGER_MS = 5;
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
  /** What is settled of the log; read from the checkpoint when the recorder starts. */
  #settlement: Settlement | undefined;
  #ledger: ExpressLedger | undefined;
  #checkpointing: Promise<void> | undefined;
  /**
   * Highest sequence of `EVENTS` any recorder had been given when this one started: only events up to
   * it can have deliveries written already (the log read again after a crash); later ones go unchecked.
   */
  #givenBefore = Number.POSITIVE_INFINITY;
  #stopping = false;
  #recorded = 0;
  /**
   * Each client's webhooks as of what is recorded. Loaded whenever this replica starts recording: while
   * it stood by, another replica's recorder changed `dispatch.webhooks`.
   */
  #registry = new WebhookRegistry();

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
    this.#settlement = undefined;
    this.#ledger = undefined;
    this.#givenBefore = Number.POSITIVE_INFINITY;
    this.#registry = await WebhookRegistry.load(this.#o.sql);
    const batch = this.#o.batchSize;
    // Messages whose deliveries are in the express lane stay unacknowledged until written: room for
    // a few batches of them.
    const held = this.#o.express ? batch * 4 : batch;
    this.#handle = await this.#o.bus.consume({
      stream: this.#o.bus.names.streams.events,
      durable: this.#durable,
      // Never given up on: an event that cannot be recorded holds the log until it can.
      maxDeliver: -1,
      ackWaitMs: 60_000,
      concurrency: held,
      maxAckPending: held * 2,
      handler: (msg) => this.#receive(msg),
      onError: (err) => this.#o.logger.error({ err }, 'webhook recorder consumer error'),
    });
    try {
      const info = await this.#o.bus.jsm.consumers.info(this.#o.bus.names.streams.events, this.#durable);
      this.#givenBefore = info.delivered.stream_seq;
    } catch (err) {
      this.#givenBefore = Number.POSITIVE_INFINITY;
      this.#o.logger.warn({ err }, 'reading the recorder consumer failed; checking every delivery');
    }
  }

  /**
   * Stops taking messages. What was taken is recorded, and the express lane's queues move to the
   * database (so every message taken is settled and acknowledged) before it resolves.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const handle = this.#handle;
    this.#handle = undefined;
    const stopped = handle?.stop();
    await this.#draining;
    await this.#o.express?.settleAll();
    await stopped;
    while (this.#checkpointing) await this.#checkpointing;
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
    // Under load messages come a few at a time, as acknowledgements make room: a short wait for more
    // saves a statement per few messages.
    if (this.#queue.length < this.#o.batchSize)
      await new Promise((resolve) => setTimeout(resolve, BATCH_LINGER_MS));
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#flush(batch);
    }
    this.#draining = undefined;
  }

  async #flush(batch: Received[]): Promise<void> {
    try {
      await untilWritten(() => this.#record(batch), {
        onError: (err, tries) =>
          this.#o.logger.error({ err, tries }, 'recording webhook deliveries failed; retrying'),
        giveUp: () => this.#stopping,
      });
    } catch {
      for (const r of batch) r.settle(outcome.retry(1_000, 'recording failed while stopping'));
    }
  }

  /** The settlement of the log, from the checkpoint (made at the first message when there is none). */
  async #settled(firstSeq: number): Promise<Settlement> {
    if (this.#settlement) return this.#settlement;
    const { sql, bus } = this.#o;
    const stream = bus.names.streams.events;
    const [row] = await sql<{ last_sequence: string }[]>`
      SELECT last_sequence FROM dispatch.recorder_checkpoints WHERE stream = ${stream}`;
    const from = row ? Number(row.last_sequence) : firstSeq - 1;
    if (!row) {
      await sql`
        INSERT INTO dispatch.recorder_checkpoints (stream, last_sequence) VALUES (${stream}, ${from})
        ON CONFLICT (stream) DO NOTHING`;
    }
    const settlement = new Settlement(from);
    this.#settlement = settlement;
    this.#ledger = {
      stream,
      checkpointAfter: (settling) => {
        const mark = settlement.watermarkAfter(settling);
        return mark > settlement.written ? mark : undefined;
      },
      settled: (settling, checkpoint) => {
        for (const [seq, count] of settling) settlement.settle(seq, count);
        if (checkpoint !== undefined) settlement.wrote(checkpoint);
        this.#catchUpCheckpoint();
      },
    };
    return settlement;
  }

  /**
   * Writes the watermark when no statement carried it that far (writes that committed at about the
   * same time each counted only their own deliveries as settled).
   */
  #catchUpCheckpoint(): void {
    const settlement = this.#settlement;
    if (this.#checkpointing || !settlement || settlement.watermark <= settlement.written) return;
    const mark = settlement.watermark;
    this.#checkpointing = (async () => {
      let failed = false;
      try {
        await this.#o.sql`
          UPDATE dispatch.recorder_checkpoints SET last_sequence = ${mark}, updated_at = now()
          WHERE stream = ${this.#o.bus.names.streams.events} AND last_sequence < ${mark}`;
        settlement.wrote(mark);
      } catch (err) {
        failed = true;
        this.#o.logger.error({ err }, 'writing the webhook recorder checkpoint failed');
      } finally {
        this.#checkpointing = undefined;
      }
      // The watermark may have moved meanwhile; after a failure, try again a little later.
      if (!failed) this.#catchUpCheckpoint();
      else if (!this.#stopping) setTimeout(() => this.#catchUpCheckpoint(), 1_000).unref();
    })();
  }

  async #record(batch: Received[]): Promise<void> {
    const { sql, bus } = this.#o;
    const stream = bus.names.streams.events;
    const received = [...new Map(batch.map((r) => [r.seq, r])).values()].sort((a, b) => a.seq - b.seq);
    const first = received[0];
    if (!first) return;
    const settlement = await this.#settled(first.seq);
    const ack = (r: Received) => settlement.whenSettled(r.seq, () => r.settle(outcome.ack));
    // Taken again (redelivered): acknowledged once what it meant is settled.
    for (const r of batch) if (r.seq <= settlement.planned) ack(r);
    const last = settlement.planned;
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

    const overlay = this.#registry.overlay();
    const events: EventRow[] = [];
    const deliveries: DeliveryRow[] = [];
    for (const item of inOrder) {
      const event = this.#parse(item);
      const reading = event && this.#plan(item.seq, event, overlay, events, deliveries);
      if (reading) await reading;
    }
    const changes = overlay.changes.length > 0;
    const express = this.#o.express;
    // The registry changes with the checkpoint, in one transaction: everything before them settled
    // first. Stopping, the rest goes to the database behind what is in memory, so that goes first too.
    if (changes || this.#stopping) await express?.settleAll();

    // Which deliveries go through the express lane: those of queues in memory, and of queues with
    // nothing in the database (the statement decides, from what it sees). Moves under way are written
    // before that, and a move begun after it refuses what was planned for memory.
    const useExpress = express !== undefined && !changes && !this.#stopping;
    const generation = express?.generation ?? 0;
    if (useExpress && deliveries.length > 0) await express.moves();
    const lanes = deliveries.map(
      (d): Lane => (!useExpress ? 'database' : express.holds(d) ? 'memory' : 'either'),
    );
    // The checkpoint moves here only when nothing is owed: up to the first delivery sent from memory.
    const checkpoint = settlement.unsettled > 0 ? undefined : newest.seq;

    const stored = {
      stream,
      checkpoint,
      events,
      deliveries,
      lanes,
      givenBefore: this.#givenBefore,
      retryWindowMs: this.#o.retryWindowMs,
    };
    const result = changes
      ? await sql.begin(async (tx) => {
          await storeWebhookChanges(tx, overlay.changes);
          return storeBatch(tx, stored);
        })
      : await storeBatch(sql, stored);
    const viaMemory = result.memory.map((i) => deliveries[i]!);
    const viaDatabase = result.database.map((i) => deliveries[i]!);
    const ids = result.ids;
    overlay.commit();
    if (result.checkpoint !== null) settlement.wrote(Number(result.checkpoint));
    this.#recorded += inOrder.length;

    const owed = new Map<number, number>();
    for (const d of viaMemory) owed.set(d.seq, (owed.get(d.seq) ?? 0) + 1);
    for (const item of inOrder) settlement.plan(item.seq, owed.get(item.seq) ?? 0);
    // What went to the database (or was recorded already) settled here, past the checkpoint written.
    this.#catchUpCheckpoint();
    for (const r of batch) if (r.seq > last) ack(r);

    const keys = new Map<string, QueueKey>();
    for (const d of viaDatabase) keys.set(queueId(d), { webhookId: d.webhookId, orderingKey: d.orderingKey });
    if (express && viaMemory.length > 0) {
      const recordedAt = new Date();
      const items = viaMemory.map(
        (d, i): ExpressItem => ({
          delivery: freshDelivery(d, ids[i]!, recordedAt, this.#o.retryWindowMs),
          ledger: this.#ledger!,
        }),
      );
      // Those of queues moved to the database meanwhile went there too, behind what was moved.
      for (const key of await express.accept(items, generation)) keys.set(queueId(key), key);
    }
    if (keys.size > 0) {
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

  /**
   * Adds what one event means for the webhooks: a registry change, or an event and its deliveries. A
   * promise only when the conversation's facts must be read first (most are cached).
   */
  #plan(
    seq: number,
    event: RelayedEvent,
    overlay: WebhookOverlay,
    events: EventRow[],
    deliveries: DeliveryRow[],
  ): Promise<void> | undefined {
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
    const planned = { seq, event, tenant, hooks, events, deliveries };
    if (!rule.needsConversation) return this.#add(planned, undefined);
    const conversationId = (event.data as { conversationId?: unknown }).conversationId;
    if (typeof conversationId !== 'string') return this.#add(planned, 'missing');
    const facts = this.#o.facts.cached(conversationId);
    if (facts) return this.#add(planned, facts);
    return this.#o.facts.get(conversationId).then((read) => this.#add(planned, read ?? 'missing'));
  }

  /** Renders an event for its client's webhooks and adds it with a delivery per webhook. */
  #add(
    p: {
      seq: number;
      event: RelayedEvent;
      tenant: string;
      hooks: ReturnType<WebhookOverlay['forClient']>;
      events: EventRow[];
      deliveries: DeliveryRow[];
    },
    facts: ConversationFacts | 'missing' | undefined,
  ): undefined {
    const { seq, event, tenant, hooks, events, deliveries } = p;
    const where = { eventId: event.id, type: event.type, stream: event.streamName };
    if (facts === 'missing') {
      this.#o.logger.error(where, 'the conversation of an event has no ConversationStarted; not delivered');
      return;
    }
    let rendered: ReturnType<typeof renderWebhookEvent>;
    try {
      rendered = renderWebhookEvent(event, facts);
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidEventError') {
        this.#o.logger.error({ ...where, err }, 'stored event does not fit its schema; not delivered');
        return;
      }
      throw err;
    }
    if (!rendered) return;
    const body = webhookBody(event.id, rendered);
    const traceparent = typeof event.metadata.traceparent === 'string' ? event.metadata.traceparent : null;
    events.push({
      id: event.id,
      clientId: tenant,
      type: rendered.type,
      sourceType: event.type,
      streamName: event.streamName,
      commit: event.position.commit.toString(),
      prepare: event.position.prepare.toString(),
      body,
      occurredAt: event.created,
      traceparent,
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
        seq,
        eventType: rendered.type,
        body,
        url: hook.url,
        tokenSealed: hook.tokenSealed,
        traceparent,
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

/** Where a planned delivery goes: the database, memory, or memory unless its queue is in the database. */
type Lane = 'database' | 'memory' | 'either';

/**
 * Writes a batch's events and the deliveries that go through the database, moves the checkpoint up to
 * `checkpoint` (when given) or to just before the first delivery sent from memory, and reserves ids for
 * the deliveries sent from memory, in one statement (so one transaction, one round trip). A delivery of lane 'either' goes to the database when its queue
 * has a pending delivery there. A delivery already recorded (the log read again after a crash) goes
 * nowhere. Returns the indexes of the deliveries for each lane, the ids reserved (one per delivery
 * that could go to memory; those that do take the first ones, in order), and the checkpoint written
 * (null: none).
 */
async function storeBatch(
  sql: postgres.Sql | postgres.TransactionSql,
  b: {
    stream: string;
    checkpoint: number | undefined;
    events: EventRow[];
    deliveries: DeliveryRow[];
    lanes: Lane[];
    /** Deliveries of events after this sequence cannot be written already. */
    givenBefore: number;
    retryWindowMs: number;
  },
): Promise<{ database: number[]; memory: number[]; ids: string[]; checkpoint: string | null }> {
  const ev = <K extends keyof EventRow>(k: K) => sql.array(b.events.map((r) => r[k]));
  const dl = <K extends keyof DeliveryRow>(k: K) => sql.array(b.deliveries.map((r) => r[k]) as never[]);
  const evp = (k: PackedKey<EventRow>) =>
    packed(
      sql,
      b.events.map((r) => r[k]),
    );
  const dlp = (k: PackedKey<DeliveryRow>) =>
    packed(
      sql,
      b.deliveries.map((r) => r[k]),
    );
  const [result] = await sql<
    { database: number[]; memory: number[]; ids: string[]; checkpoint: string | null }[]
  >`
    WITH events AS (
      INSERT INTO dispatch.events
        (id, client_id, type, source_type, stream_name, position_commit, position_prepare, body, occurred_at,
         traceparent)
      SELECT * FROM unnest(
        ${evp('id')}::uuid[], ${evp('clientId')}::uuid[], ${evp('type')}, ${evp('sourceType')},
        ${ev('streamName')}::text[], ${evp('commit')}::bigint[], ${evp('prepare')}::bigint[], ${evp('body')},
        ${evp('occurredAt')}::timestamptz[], ${ev('traceparent')}::text[])
      ON CONFLICT (id) DO NOTHING
    ), planned AS MATERIALIZED (
      SELECT t.*,
        CASE WHEN t.lane = 'database' THEN true
             WHEN t.lane = 'memory' THEN false
             ELSE EXISTS (
               SELECT 1 FROM dispatch.deliveries d
               WHERE d.webhook_id = t.w AND d.ordering_key = t.k AND d.status = 'pending')
        END AS queued,
        t.lane <> 'database' AND t.seq <= ${Number.isFinite(b.givenBefore) ? b.givenBefore : Number.MAX_SAFE_INTEGER}::bigint AND EXISTS (
          SELECT 1 FROM dispatch.deliveries d WHERE d.event_id = t.e AND d.webhook_id = t.w) AS recorded
      FROM unnest(
        ${dlp('webhookId')}::uuid[], ${dlp('clientId')}::uuid[], ${dlp('eventId')}::uuid[],
        ${dl('orderingKey')}::text[], ${dlp('commit')}::bigint[], ${dlp('prepare')}::bigint[],
        ${packed(sql, b.lanes)}, ${dlp('seq')}::bigint[]) WITH ORDINALITY AS t(w, c, e, k, pc, pp, lane, seq, i)
    ), mark AS (
      SELECT coalesce(
        (SELECT min(seq) - 1 FROM planned WHERE NOT queued AND NOT recorded), ${b.checkpoint ?? 0}::bigint) AS seq
    ), cp AS (
      UPDATE dispatch.recorder_checkpoints SET last_sequence = mark.seq, updated_at = now()
      FROM mark
      WHERE stream = ${b.stream} AND ${b.checkpoint !== undefined} AND last_sequence < mark.seq
      RETURNING last_sequence
    ), deliveries AS (
      INSERT INTO dispatch.deliveries
        (webhook_id, client_id, event_id, ordering_key, position_commit, position_prepare, deadline_at)
      SELECT w, c, e, k, pc, pp, now() + ${b.retryWindowMs}::float8 * interval '1 millisecond'
      FROM planned WHERE queued
      ON CONFLICT (webhook_id, event_id) DO NOTHING
    )
    SELECT
      ARRAY(SELECT i - 1 FROM planned WHERE queued ORDER BY i)::int[] AS database,
      ARRAY(SELECT i - 1 FROM planned WHERE NOT queued AND NOT recorded ORDER BY i)::int[] AS memory,
      ${reserveIdsSql(sql, b.lanes.filter((l) => l !== 'database').length)} AS ids,
      (SELECT last_sequence::text FROM cp) AS checkpoint`;
  return result ?? { database: [], memory: [], ids: [], checkpoint: null };
}

/** The fields that go as packed columns: no free text (a body is JSON, whose control characters are escaped). */
type PackedKey<T> = { [K in keyof T]: T[K] extends PackedValue ? K : never }[keyof T];

/** A delivery planned for the express lane, as the scheduler sends it. */
function freshDelivery(d: DeliveryRow, id: string, recordedAt: Date, retryWindowMs: number): FreshDelivery {
  return {
    id,
    webhookId: d.webhookId,
    clientId: d.clientId,
    eventId: d.eventId,
    orderingKey: d.orderingKey,
    attemptCount: 0,
    deadlineAt: new Date(recordedAt.getTime() + retryWindowMs),
    eventType: d.eventType,
    body: d.body,
    url: d.url,
    tokenSealed: d.tokenSealed,
    webhookRemoved: false,
    traceparent: d.traceparent ?? undefined,
    seq: d.seq,
    commit: d.commit,
    prepare: d.prepare,
    recordedAt,
  };
}
