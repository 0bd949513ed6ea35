import type { KeyObject } from 'node:crypto';
import { inEventTrace, LabelledCounter, type Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { AttemptWriter } from './attempt-writer.js';
import {
  type ClaimedDelivery,
  claimDue,
  failWithoutAttempt,
  nextDue,
  nextInQueue,
  promoteHeads,
  type QueueKey,
  recordAttempts,
  repairStalledQueues,
} from './delivery-queue.js';
import {
  type ExpressItem,
  type ExpressLane,
  type ExpressLedger,
  type ExpressQueue,
  ExpressQueues,
  oldestArrival,
} from './express-lane.js';
import { type AttemptWrite, type DeliveryWrite, writeFreshDeliveries } from './express-store.js';
import { Permits } from './permits.js';
import {
  type AttemptResult,
  type BackoffPolicy,
  type NextStep,
  nextStep,
  verdictOf,
} from './retry-policy.js';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
  signingKey,
  TIMESTAMP_HEADER,
} from './signature.js';
import { untilWritten } from './until-written.js';
import type { SentAttempt, WebhookRequest } from './webhook-sender.js';
import { WriteBehind } from './write-behind.js';

export interface SchedulerOptions {
  sql: postgres.Sql;
  /**
   * Where the express lane writes: its writes move the recorder's checkpoint and lead to `EVENTS`
   * acknowledgements, so they must be on disk before they count (commits that wait for it).
   */
  durableSql: postgres.Sql;
  sender: { send(req: WebhookRequest): Promise<SentAttempt> };
  /** Opens a sealed webhook token. */
  openToken(sealed: string): string;
  logger: Logger;
  maxInFlight: number;
  perWebhook: number;
  timeoutMs: number;
  leaseMarginMs: number;
  pollIntervalMs: number;
  backoff: BackoffPolicy;
  /**
   * Longest a fresh delivery waits in memory for its turn before its queue moves to the database
   * (a slow webhook must not hold the log's acknowledgements).
   */
  holdMs: number;
  random?: () => number;
}

/** What one attempt was, as recorded, and what follows it. */
interface Attempted {
  record: Omit<AttemptWrite, 'outcome'>;
  step: NextStep;
}

/** A webhook's token, opened, and its signing key. */
interface OpenedToken {
  sealed: string;
  token: string;
  key: KeyObject;
}

/** A finished fresh delivery, written behind its attempt together with others. */
interface FinishedFresh {
  item: ExpressItem;
  row: DeliveryWrite;
  attempt: AttemptWrite;
}

export interface SchedulerStats {
  inFlight: number;
  delivered: number;
  retried: number;
  failed: number;
  dead: number;
  /** Deliveries finished from memory (the express lane), counted in the outcomes above too. */
  fromMemory: number;
}

const MIN_SLEEP_MS = 10;
/**
 * Workers (queues being delivered) per webhook, per HTTP attempt allowed in flight to it: while one
 * worker records its attempt, another one's request can be in flight, so the webhook gets the requests
 * in flight it allows rather than that many less the time spent recording.
 */
const WORKERS_PER_PERMIT = 2;

const attempts = new LabelledCounter(
  'switchboard_webhook_attempts',
  'Webhook delivery attempts, by outcome (delivered, retry, failed, dead)',
  ['outcome'],
);
const REPAIR_EVERY_MS = 30_000;
/**
 * Finished express deliveries are written behind their attempts, up to this many per statement, each
 * statement waiting this long for more: nobody waits for these writes but the log's acknowledgements.
 * A statement's socket write costs the event loop far more than its bytes: 50 ms instead of 10 took the
 * dispatcher's CPU per delivery from 0.36 to 0.33 ms in the webhook benchmark (docs/performance.md).
 */
const FINISHED_BATCH = 512;
const FINISHED_LINGER_MS = 50;
/** Deliveries an express worker makes in a row before it lets a waiting queue have its turn. */
const EXPRESS_BURST = 8;

/**
 * Delivers due deliveries. Each claimed delivery gets a worker that makes its attempt and, when the
 * delivery is finished, goes on with the next one of the same queue (webhook + conversation), so a
 * conversation flows in order without a round through the claim query. Workers are bounded in total
 * and per webhook (`WORKERS_PER_PERMIT` × `perWebhook`), and each holds one of its webhook's
 * `perWebhook` permits while its request is in flight: a hanging webhook has at most `perWebhook`
 * requests and twice as many workers, and claims skip it meanwhile. Attempts are recorded through one
 * `AttemptWriter` (a statement for all the attempts that finish at about the same time).
 */
export class Scheduler implements ExpressLane {
  readonly #o: SchedulerOptions;
  readonly #workers = new Set<Promise<void>>();
  readonly #busy = new Map<string, number>();
  /** HTTP attempts in flight per webhook: at most `perWebhook` each. */
  readonly #permits = new Map<string, Permits>();
  readonly #tokens = new Map<string, OpenedToken>();
  readonly #stats = { delivered: 0, retried: 0, failed: 0, dead: 0, fromMemory: 0 };
  readonly #toPromote = new Map<string, QueueKey>();
  #promoting: Promise<void> | undefined;
  /** Every worker's attempts go through it: one statement for all that finish at about the same time. */
  readonly #writer: AttemptWriter;
  /** The express lane: fresh deliveries sent from memory, queue by queue. */
  readonly #express = new ExpressQueues();
  /** Express queues with deliveries and no worker, oldest first. */
  readonly #ready = new Set<ExpressQueue>();
  readonly #finished: WriteBehind<FinishedFresh>;
  /** Moves of express queues to the database not yet written. */
  readonly #moves = new Set<Promise<void>>();
  #holdTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  /** Webhooks at their limit here that had deliveries due when the claim loop last looked. */
  #waitingForRoom = new Set<string>();
  #woken = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#writer = new AttemptWriter((batch) => recordAttempts(options.sql, batch, this.#leaseMs));
    this.#finished = new WriteBehind((batch) => this.#writeFinished(batch), {
      maxBatch: FINISHED_BATCH,
      lingerMs: FINISHED_LINGER_MS,
      onError: (err, tries) =>
        this.#o.logger.error({ err, tries }, 'writing finished webhook deliveries failed; retrying'),
      giveUp: (tries) => this.#stopping && tries >= 5,
    });
  }

  get running(): boolean {
    return this.#loop !== undefined && !this.#stopping;
  }

  get stats(): SchedulerStats {
    return { inFlight: this.#workers.size, ...this.#stats };
  }

  start(): void {
    this.#loop ??= this.#run();
    if (this.#o.holdMs > 0) {
      this.#holdTimer ??= setInterval(() => this.#moveStale(), Math.max(10, Math.floor(this.#o.holdMs / 4)));
      this.#holdTimer.unref();
    }
  }

  /** Something may have become due: look now rather than at the next poll. */
  notify(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops claiming, lets every attempt in flight finish and be recorded, then resolves. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#holdTimer);
    this.notify();
    await this.#loop;
    // Whatever the recorder left in memory goes to the database, for whichever replica goes on.
    await this.#moveAll();
    while (this.#workers.size > 0) await Promise.allSettled([...this.#workers]);
    await this.#finished.flushed();
    await this.moves();
    await this.#promoting;
  }

  get generation(): number {
    return this.#express.generation;
  }

  async moves(): Promise<void> {
    while (this.#moves.size > 0) await Promise.allSettled([...this.#moves]);
  }

  holds(key: QueueKey): boolean {
    return this.#express.has(key);
  }

  async accept(items: readonly ExpressItem[], since: number): Promise<QueueKey[]> {
    const { idle, refused } = this.#express.add(items, since, Date.now());
    for (const queue of idle) this.#ready.add(queue);
    this.#startExpress();
    if (refused.length === 0) return [];
    await this.moves();
    const rows = refused.map(
      (r): DeliveryWrite => ({
        delivery: r.delivery,
        status: 'pending',
        attemptCount: 0,
        nextAttemptAt: 'infinity',
      }),
    );
    await this.#persist(() => this.#writeFresh(refused, rows, []));
    return refused.map((r) => ({ webhookId: r.delivery.webhookId, orderingKey: r.delivery.orderingKey }));
  }

  async settleAll(): Promise<void> {
    await this.#moveAll();
    await this.#finished.flushed();
  }

  async #moveAll(): Promise<void> {
    await Promise.allSettled(this.#express.queues().map((q) => this.#move(q)));
    await this.moves();
  }

  /** A reserved delivery may wait for a permit (up to one attempt's time limit) and then be attempted. */
  get #leaseMs(): number {
    return 2 * this.#o.timeoutMs + this.#o.leaseMarginMs;
  }

  get #workersPerWebhook(): number {
    return this.#o.perWebhook * WORKERS_PER_PERMIT;
  }

  async #run(): Promise<void> {
    let repairAt = 0;
    while (!this.#stopping) {
      this.#woken = false;
      let sleepMs = this.#o.pollIntervalMs;
      try {
        if (Date.now() >= repairAt) {
          repairAt = Date.now() + REPAIR_EVERY_MS;
          const repaired = await repairStalledQueues(this.#o.sql);
          if (repaired > 0) this.#o.logger.warn({ repaired }, 'made stalled webhook queues due again');
        }
        const room = this.#o.maxInFlight - this.#workers.size;
        if (room > 0) {
          const claimed = await claimDue(this.#o.sql, {
            limit: room,
            leaseMs: this.#leaseMs,
            perWebhook: this.#workersPerWebhook,
            busy: this.#busy,
          });
          for (const delivery of claimed) this.#startWorker(delivery);
          if (claimed.length === room) continue;
          const due = await nextDue(this.#o.sql, this.#saturated());
          this.#waitingForRoom = new Set(due.waitingForRoom);
          if (due.ms !== undefined) sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, Math.ceil(due.ms)));
        }
      } catch (err) {
        this.#o.logger.error({ err }, 'claiming due webhook deliveries failed');
      }
      await this.#sleep(sleepMs);
    }
  }

  #saturated(): string[] {
    return [...this.#busy].filter(([, n]) => n >= this.#workersPerWebhook).map(([id]) => id);
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#woken || this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }

  #startWorker(first: ClaimedDelivery): void {
    this.#spawn(first.webhookId, () => this.#work(first), { deliveryId: first.id }, true);
  }

  /**
   * Runs a worker, counted against the limits of its webhook and of the process. When it ends, the
   * claim loop looks again if the worker was claimed from the database, or its end makes room for
   * deliveries the loop found due and could not take (an express worker's end alone gives it nothing
   * new to claim).
   */
  #spawn(webhookId: string, work: () => Promise<void>, where: Record<string, string>, claimed = false): void {
    this.#busy.set(webhookId, (this.#busy.get(webhookId) ?? 0) + 1);
    const task: Promise<void> = work()
      .catch((err: unknown) => this.#o.logger.error({ err, ...where }, 'webhook delivery worker failed'))
      .finally(() => {
        const full = this.#workers.size >= this.#o.maxInFlight || this.#waitingForRoom.has(webhookId);
        this.#workers.delete(task);
        const left = (this.#busy.get(webhookId) ?? 1) - 1;
        if (left > 0) this.#busy.set(webhookId, left);
        else this.#busy.delete(webhookId);
        this.#startExpress();
        if (claimed || full) this.notify();
      });
    this.#workers.add(task);
  }

  async #work(first: ClaimedDelivery): Promise<void> {
    let current: ClaimedDelivery | undefined = first;
    while (current) {
      const d: ClaimedDelivery = current;
      current = await this.#traced(d, () => this.#deliver(d));
    }
  }

  /** In the trace of the request that caused the event, however much later the attempt is made. */
  #traced<T>(d: ClaimedDelivery, run: () => Promise<T>): Promise<T> {
    return inEventTrace(
      `deliver webhook ${d.eventType}`,
      d.traceparent,
      {
        'switchboard.webhook_id': d.webhookId,
        'switchboard.event_id': d.eventId,
        'switchboard.delivery_id': d.id,
      },
      run,
    );
  }

  /** Starts workers for waiting express queues while the limits allow, oldest first. */
  #startExpress(): void {
    if (this.#stopping) return;
    for (const queue of this.#ready) {
      if (this.#workers.size >= this.#o.maxInFlight) return;
      if (queue.moved || queue.items.length === 0) {
        this.#ready.delete(queue);
        continue;
      }
      const webhookId = queue.key.webhookId;
      if ((this.#busy.get(webhookId) ?? 0) >= this.#workersPerWebhook) continue;
      this.#ready.delete(queue);
      queue.running = true;
      this.#spawn(webhookId, () => this.#workExpress(queue), { queue: queue.id });
    }
  }

  /**
   * Delivers an express queue from memory, in order. A finished delivery is written behind (with
   * others; the next attempt does not wait for it). A retry moves the queue to the database, where
   * the rest of its life is the same as any other delivery's. When the queue moved while an attempt
   * was in flight, that attempt is recorded against the row the move reserved for it, and the worker
   * goes on with the queue in the database.
   */
  async #workExpress(queue: ExpressQueue): Promise<void> {
    let done = 0;
    try {
      while (!this.#stopping && !queue.moved) {
        const item = queue.items[0];
        if (!item) break;
        const d = item.delivery;
        queue.inFlight = item;
        const attempted = await this.#traced(d, () => this.#attempt(d));
        queue.inFlight = undefined;
        if (queue.moved) {
          await queue.moved;
          let next = await this.#traced(d, () => this.#recordClaimed(d, attempted));
          while (next) {
            const n: ClaimedDelivery = next;
            next = await this.#traced(n, () => this.#deliver(n));
          }
          return;
        }
        this.#express.shift(queue);
        if (attempted.step.status === 'pending') {
          await this.#move(queue, { item, attempted });
          return;
        }
        this.#finishFresh(item, attempted.record, attempted.step.status);
        // Others waiting for a worker get their turn: a queue that keeps filling must not keep its worker.
        if (++done % EXPRESS_BURST === 0 && this.#ready.size > 0 && queue.items.length > 0) return;
      }
    } finally {
      queue.running = false;
      queue.inFlight = undefined;
      this.#express.drop(queue);
      // Ended with deliveries left (yielded, or the attempt threw): another worker takes them up.
      if (!queue.moved && queue.items.length > 0) this.#ready.add(queue);
    }
  }

  /** Counts a finished fresh delivery and writes it behind, with other workers' ones. */
  #finishFresh(
    item: ExpressItem,
    record: Attempted['record'],
    outcome: 'delivered' | 'failed' | 'dead',
  ): void {
    this.#stats[outcome]++;
    this.#stats.fromMemory++;
    attempts.add(outcome);
    if (outcome !== 'delivered') {
      this.#o.logger.warn(
        { webhookId: item.delivery.webhookId, eventId: item.delivery.eventId, ...record },
        `webhook delivery ${outcome}`,
      );
    }
    const finished: FinishedFresh = {
      item,
      row: {
        delivery: item.delivery,
        status: outcome,
        attemptCount: record.attempt,
        nextAttemptAt: 'infinity',
        lastStatusCode: record.statusCode,
        lastError: record.error,
      },
      attempt: { ...record, outcome },
    };
    this.#finished.add(finished);
  }

  /** One statement for the fresh deliveries finished at about the same time, with the checkpoint. */
  #writeFinished(batch: FinishedFresh[]): Promise<void> {
    return this.#writeFresh(
      batch.map((f) => f.item),
      batch.map((f) => f.row),
      batch.map((f) => f.attempt),
    );
  }

  /**
   * Writes fresh deliveries (and attempts) and tells their ledgers, with the checkpoint they allow when
   * they all come from one recorder (they do, but for the moment a replica changes leader).
   */
  async #writeFresh(items: ExpressItem[], rows: DeliveryWrite[], attemptRows: AttemptWrite[]): Promise<void> {
    const byLedger = new Map<ExpressLedger, Map<number, number>>();
    for (const { ledger, delivery } of items) {
      const settling = byLedger.get(ledger) ?? new Map<number, number>();
      settling.set(delivery.seq, (settling.get(delivery.seq) ?? 0) + 1);
      byLedger.set(ledger, settling);
    }
    const [only] = byLedger.size === 1 ? [...byLedger] : [];
    const sequence = only ? only[0].checkpointAfter(only[1]) : undefined;
    await writeFreshDeliveries(
      this.#o.durableSql,
      rows,
      attemptRows,
      only && sequence !== undefined ? { stream: only[0].stream, sequence } : undefined,
    );
    for (const [ledger, settling] of byLedger)
      ledger.settled(settling, ledger === only?.[0] ? sequence : undefined);
  }

  /**
   * Moves an express queue to the database: its deliveries become rows behind each other. The head is
   * due now, or at its retry time with the attempt that failed (`retried`); a delivery whose attempt
   * is in flight gets a row reserved for its worker, which records the attempt there.
   */
  #move(queue: ExpressQueue, retried?: { item: ExpressItem; attempted: Attempted }): Promise<void> {
    if (queue.moved) return queue.moved;
    const inFlight = queue.inFlight;
    const items = this.#express.takeOut(queue);
    const rows: DeliveryWrite[] = [];
    const attemptRows: AttemptWrite[] = [];
    if (retried) {
      const { record, step } = retried.attempted;
      rows.push({
        delivery: retried.item.delivery,
        status: 'pending',
        attemptCount: record.attempt,
        nextAttemptAt: step.status === 'pending' ? step.nextAttemptAt : { afterMs: 0 },
        lastStatusCode: record.statusCode,
        lastError: record.error,
      });
      attemptRows.push({ ...record, outcome: 'retry' });
      this.#stats.retried++;
      attempts.add('retry');
    }
    items.forEach((item, i) => {
      // Reserved and due times by the database's clock, as claims take them.
      const nextAttemptAt: DeliveryWrite['nextAttemptAt'] =
        item === inFlight
          ? { afterMs: this.#leaseMs }
          : i === 0 && !retried && !inFlight
            ? { afterMs: 0 }
            : 'infinity';
      rows.push({ delivery: item.delivery, status: 'pending', attemptCount: 0, nextAttemptAt });
    });
    const all = retried ? [retried.item, ...items] : items;
    const write = this.#persist(() => this.#writeFresh(all, rows, attemptRows)).then(() => this.notify());
    queue.moved = write;
    this.#moves.add(write);
    void write
      .catch((err: unknown) =>
        this.#o.logger.error({ err, queue: queue.id }, 'moving a webhook queue to the database failed'),
      )
      .finally(() => this.#moves.delete(write));
    return write;
  }

  /** Moves to the database the express queues whose oldest delivery waited longer than `holdMs`. */
  #moveStale(): void {
    const before = Date.now() - this.#o.holdMs;
    for (const queue of this.#express.queues()) {
      if ((oldestArrival(queue) ?? Number.POSITIVE_INFINITY) < before && !queue.moved) {
        this.#o.logger.debug(
          { queue: queue.id },
          'webhook queue waited too long in memory; moving it to the database',
        );
        void this.#move(queue).catch(() => {});
      }
    }
  }

  /**
   * One attempt and its record. When that finishes the delivery, returns the next one of its queue,
   * reserved for this worker (none while stopping: it is only made due, for whichever replica goes on).
   */
  async #deliver(d: ClaimedDelivery): Promise<ClaimedDelivery | undefined> {
    const key: QueueKey = { webhookId: d.webhookId, orderingKey: d.orderingKey };
    const take = () => ({ take: !this.#stopping, leaseMs: this.#leaseMs });
    if (d.webhookRemoved) {
      await this.#persist(() => failWithoutAttempt(this.#o.sql, d.id, 'the webhook was removed'));
      this.#stats.failed++;
      return this.#persist<ClaimedDelivery | undefined>(() => nextInQueue(this.#o.sql, key, take()));
    }
    return this.#recordClaimed(d, await this.#attempt(d));
  }

  /** One attempt: a permit of its webhook, the request, and what follows from the answer. */
  async #attempt(d: ClaimedDelivery): Promise<Attempted> {
    const attempt = d.attemptCount + 1;
    const release = this.#permit(d.webhookId) ?? (await this.#waitForPermit(d.webhookId));
    const startedAt = new Date();
    let sent: SentAttempt;
    try {
      sent = await this.#send(d, attempt);
    } finally {
      release();
    }
    const step = nextStep(verdictOf(sent.result), {
      attempt,
      now: new Date(),
      deadline: d.deadlineAt,
      retryAfterMs: sent.result.kind === 'response' ? sent.result.retryAfterMs : undefined,
      policy: this.#o.backoff,
      random: this.#o.random,
    });
    const record = {
      deliveryId: d.id,
      attempt,
      startedAt,
      latencyMs: sent.latencyMs,
      statusCode: sent.result.kind === 'response' ? sent.result.statusCode : undefined,
      error: sent.result.error,
    };
    return { record, step };
  }

  /** Records an attempt of a delivery in the database; returns the next one of its queue, when taken. */
  async #recordClaimed(
    d: ClaimedDelivery,
    { record, step }: Attempted,
  ): Promise<ClaimedDelivery | undefined> {
    const key: QueueKey = { webhookId: d.webhookId, orderingKey: d.orderingKey };
    const log = { webhookId: d.webhookId, eventId: d.eventId, ...record };
    if (step.status === 'pending') {
      await this.#persist(() =>
        this.#writer.record({
          ...record,
          outcome: 'retry',
          nextAttemptAt: step.nextAttemptAt,
          key,
          take: false,
        }),
      );
      this.#stats.retried++;
      attempts.add('retry');
      this.#o.logger.debug(log, 'webhook delivery will be retried');
      return undefined;
    }
    const outcome = step.status;
    const { next, moved } = await this.#persist(() =>
      this.#writer.record({ ...record, outcome, key, take: !this.#stopping }),
    );
    this.#stats[outcome]++;
    attempts.add(outcome);
    if (outcome !== 'delivered') this.#o.logger.warn(log, `webhook delivery ${outcome}`);
    // Nothing was next when we looked; something may have been recorded since.
    if (!moved) this.#promoteSoon(key);
    return next;
  }

  /** Promotes the queue's head after this turn of the event loop, together with other workers' queues. */
  #promoteSoon(key: QueueKey): void {
    this.#toPromote.set(`${key.webhookId} ${key.orderingKey}`, key);
    if (this.#promoting) return;
    this.#promoting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (this.#toPromote.size > 0) {
          const keys = [...this.#toPromote.values()];
          this.#toPromote.clear();
          if ((await this.#persist(() => promoteHeads(this.#o.sql, keys))) > 0) this.notify();
        }
      })
      .catch((err: unknown) => this.#o.logger.error({ err }, 'making webhook queues due failed'))
      .finally(() => {
        this.#promoting = undefined;
      });
  }

  /** A permit of the webhook if one is free now; undefined: `#waitForPermit`. */
  #permit(webhookId: string): (() => void) | undefined {
    const permits = this.#permitsOf(webhookId);
    const release = permits.tryAcquire();
    return release && this.#forgetting(webhookId, permits, release);
  }

  async #waitForPermit(webhookId: string): Promise<() => void> {
    const permits = this.#permitsOf(webhookId);
    return this.#forgetting(webhookId, permits, await permits.acquire());
  }

  #permitsOf(webhookId: string): Permits {
    let permits = this.#permits.get(webhookId);
    if (!permits) {
      permits = new Permits(this.#o.perWebhook);
      this.#permits.set(webhookId, permits);
    }
    return permits;
  }

  /** Gives the permit back, and forgets the webhook's semaphore when nobody holds or waits for one. */
  #forgetting(webhookId: string, permits: Permits, release: () => void): () => void {
    return () => {
      release();
      if (permits.idle) this.#permits.delete(webhookId);
    };
  }

  #send(d: ClaimedDelivery, attempt: number): Promise<SentAttempt> {
    let token: OpenedToken;
    try {
      token = this.#token(d);
    } catch (err) {
      // Our configuration, not the client's fault: keep retrying until the key is fixed.
      const error = `the webhook token cannot be opened (${err instanceof Error ? err.message : String(err)})`;
      const result: AttemptResult = { kind: 'network', error };
      return Promise.resolve({ result, latencyMs: 0 });
    }
    const timestamp = Math.floor(Date.now() / 1000);
    return this.#o.sender.send({
      url: d.url,
      body: d.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Switchboard-Webhooks/1',
        'x-bp-messaging-client-id': d.clientId,
        'x-bp-messaging-webhook-token': token.token,
        [EVENT_ID_HEADER]: d.eventId,
        'x-switchboard-event-type': d.eventType,
        'x-switchboard-delivery-id': d.id,
        'x-switchboard-attempt': String(attempt),
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signatureHeader(token.key, timestamp, d.body),
      },
    });
  }

  #token(d: ClaimedDelivery): OpenedToken {
    const cached = this.#tokens.get(d.webhookId);
    if (cached?.sealed === d.tokenSealed) return cached;
    const token = this.#o.openToken(d.tokenSealed);
    const opened = { sealed: d.tokenSealed, token, key: signingKey(token) };
    this.#tokens.set(d.webhookId, opened);
    return opened;
  }

  /**
   * Retries a write until it succeeds: an attempt that was made must be recorded. After a few tries
   * while stopping it gives up; the reservation then lapses and the delivery is attempted again.
   */
  #persist<T>(write: () => Promise<T>): Promise<T> {
    return untilWritten(write, {
      onError: (err, tries) =>
        this.#o.logger.error({ err, tries }, 'recording a webhook delivery failed; retrying'),
      giveUp: (tries) => this.#stopping && tries >= 5,
    });
  }
}
