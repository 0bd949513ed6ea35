import { inEventTrace, LabelledCounter, type Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import { AttemptWriter } from './attempt-writer.js';
import {
  type ClaimedDelivery,
  claimDue,
  failWithoutAttempt,
  msUntilNextDue,
  nextInQueue,
  promoteHeads,
  type QueueKey,
  recordAttempts,
  repairStalledQueues,
} from './delivery-queue.js';
import { Permits } from './permits.js';
import { type AttemptResult, type BackoffPolicy, nextStep, verdictOf } from './retry-policy.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader, TIMESTAMP_HEADER } from './signature.js';
import type { SentAttempt, WebhookRequest } from './webhook-sender.js';

export interface SchedulerOptions {
  sql: postgres.Sql;
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
  random?: () => number;
}

export interface SchedulerStats {
  inFlight: number;
  delivered: number;
  retried: number;
  failed: number;
  dead: number;
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
 * Delivers due deliveries. Each claimed delivery gets a worker that makes its attempt and, when the
 * delivery is finished, goes on with the next one of the same queue (webhook + conversation), so a
 * conversation flows in order without a round through the claim query. Workers are bounded in total
 * and per webhook (`WORKERS_PER_PERMIT` × `perWebhook`), and each holds one of its webhook's
 * `perWebhook` permits while its request is in flight: a hanging webhook has at most `perWebhook`
 * requests and twice as many workers, and claims skip it meanwhile. Attempts are recorded through one
 * `AttemptWriter` (a statement for all the attempts that finish at about the same time).
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #workers = new Set<Promise<void>>();
  readonly #busy = new Map<string, number>();
  /** HTTP attempts in flight per webhook: at most `perWebhook` each. */
  readonly #permits = new Map<string, Permits>();
  readonly #tokens = new Map<string, { sealed: string; token: string }>();
  readonly #stats = { delivered: 0, retried: 0, failed: 0, dead: 0 };
  readonly #toPromote = new Map<string, QueueKey>();
  #promoting: Promise<void> | undefined;
  /** Every worker's attempts go through it: one statement for all that finish at about the same time. */
  readonly #writer: AttemptWriter;
  #stopping = false;
  #woken = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#writer = new AttemptWriter((batch) => recordAttempts(options.sql, batch, this.#leaseMs));
  }

  get running(): boolean {
    return this.#loop !== undefined && !this.#stopping;
  }

  get stats(): SchedulerStats {
    return { inFlight: this.#workers.size, ...this.#stats };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Something may have become due: look now rather than at the next poll. */
  notify(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops claiming, lets every attempt in flight finish and be recorded, then resolves. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.notify();
    await this.#loop;
    while (this.#workers.size > 0) await Promise.allSettled([...this.#workers]);
    await this.#promoting;
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
          const dueIn = await msUntilNextDue(this.#o.sql, this.#saturated());
          if (dueIn !== undefined) sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, Math.ceil(dueIn)));
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
    const webhookId = first.webhookId;
    this.#busy.set(webhookId, (this.#busy.get(webhookId) ?? 0) + 1);
    const task: Promise<void> = this.#work(first)
      .catch((err: unknown) =>
        this.#o.logger.error({ err, deliveryId: first.id }, 'webhook delivery worker failed'),
      )
      .finally(() => {
        this.#workers.delete(task);
        const left = (this.#busy.get(webhookId) ?? 1) - 1;
        if (left > 0) this.#busy.set(webhookId, left);
        else this.#busy.delete(webhookId);
        this.notify();
      });
    this.#workers.add(task);
  }

  async #work(first: ClaimedDelivery): Promise<void> {
    let current: ClaimedDelivery | undefined = first;
    while (current) {
      const d: ClaimedDelivery = current;
      // In the trace of the request that caused the event, however much later the attempt is made.
      current = await inEventTrace(
        `deliver webhook ${d.eventType}`,
        d.traceparent,
        {
          'switchboard.webhook_id': d.webhookId,
          'switchboard.event_id': d.eventId,
          'switchboard.delivery_id': d.id,
        },
        () => this.#deliver(d),
      );
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
    const attempt = d.attemptCount + 1;
    const release = await this.#permit(d.webhookId);
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

  async #permit(webhookId: string): Promise<() => void> {
    let permits = this.#permits.get(webhookId);
    if (!permits) {
      permits = new Permits(this.#o.perWebhook);
      this.#permits.set(webhookId, permits);
    }
    const release = await permits.acquire();
    return () => {
      release();
      if (permits.idle) this.#permits.delete(webhookId);
    };
  }

  async #send(d: ClaimedDelivery, attempt: number): Promise<SentAttempt> {
    let token: string;
    try {
      token = this.#token(d);
    } catch (err) {
      // Our configuration, not the client's fault: keep retrying until the key is fixed.
      const error = `the webhook token cannot be opened (${err instanceof Error ? err.message : String(err)})`;
      const result: AttemptResult = { kind: 'network', error };
      return { result, latencyMs: 0 };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    return this.#o.sender.send({
      url: d.url,
      body: d.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Switchboard-Webhooks/1',
        'x-bp-messaging-client-id': d.clientId,
        'x-bp-messaging-webhook-token': token,
        [EVENT_ID_HEADER]: d.eventId,
        'x-switchboard-event-type': d.eventType,
        'x-switchboard-delivery-id': d.id,
        'x-switchboard-attempt': String(attempt),
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signatureHeader(token, timestamp, d.body),
      },
    });
  }

  #token(d: ClaimedDelivery): string {
    const cached = this.#tokens.get(d.webhookId);
    if (cached?.sealed === d.tokenSealed) return cached.token;
    const token = this.#o.openToken(d.tokenSealed);
    this.#tokens.set(d.webhookId, { sealed: d.tokenSealed, token });
    return token;
  }

  /**
   * Retries a write until it succeeds: an attempt that was made must be recorded. After a few tries
   * while stopping it gives up; the reservation then lapses and the delivery is attempted again.
   */
  async #persist<T>(write: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await write();
      } catch (err) {
        if (this.#stopping && tries >= 5) throw err;
        this.#o.logger.error({ err, tries }, 'recording a webhook delivery failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** tries)));
      }
    }
  }
}
