import type { QueueKey } from './delivery-queue.js';
import type { FreshDelivery } from './express-store.js';

/**
 * The recorder's side of the express lane: how far its checkpoint may go with some fresh deliveries
 * written, and what to do once they are.
 */
export interface ExpressLedger {
  readonly stream: string;
  /** The checkpoint a statement writing these (sequence → deliveries) may set; undefined: no change. */
  checkpointAfter(settling: ReadonlyMap<number, number>): number | undefined;
  /** The deliveries were written, and the checkpoint (when one was set). */
  settled(settling: ReadonlyMap<number, number>, checkpoint: number | undefined): void;
}

/** A fresh delivery on its way, with the ledger of the recorder that planned it. */
export interface ExpressItem {
  delivery: FreshDelivery;
  ledger: ExpressLedger;
  /** When it reached memory (ms): a queue whose oldest delivery waited longer moves to the database. */
  arrivedAt?: number;
}

/** One queue (webhook + ordering key) of the express lane: its deliveries in log order. */
export interface ExpressQueue {
  readonly id: string;
  readonly key: QueueKey;
  readonly items: ExpressItem[];
  /** The first item, while its attempt is in flight. */
  inFlight: ExpressItem | undefined;
  /** A worker is delivering it. */
  running: boolean;
  /** Set when the queue moved to the database: the write its attempt in flight waits for. */
  moved: Promise<void> | undefined;
}

/** When the oldest delivery of a queue reached memory (ms); undefined when it is empty. */
export const oldestArrival = (queue: ExpressQueue): number | undefined => queue.items[0]?.arrivedAt;

export const queueId = (key: QueueKey) => `${key.webhookId} ${key.orderingKey}`;

/**
 * The queues of the express lane, in memory. A queue leaves when it is empty or moves to the database;
 * the move is remembered by generation so that deliveries planned before it (the recorder checked the
 * database meanwhile) are not sent from memory ahead of the ones moved.
 */
export class ExpressQueues {
  readonly #queues = new Map<string, ExpressQueue>();
  readonly #movedAt = new Map<string, number>();
  #generation = 0;

  /** Moves so far: the recorder notes it before it looks at the database. */
  get generation(): number {
    return this.#generation;
  }

  has(key: QueueKey): boolean {
    return this.#queues.has(queueId(key));
  }

  queues(): ExpressQueue[] {
    return [...this.#queues.values()];
  }

  /**
   * Adds items in log order. Refused: the items of queues that moved to the database after `since`
   * (they must go there too, behind the moved ones). Returns the queues that got items and have no
   * worker.
   */
  add(
    items: readonly ExpressItem[],
    since: number,
    now: number,
  ): { idle: ExpressQueue[]; refused: ExpressItem[] } {
    const idle = new Set<ExpressQueue>();
    const refused: ExpressItem[] = [];
    for (const item of items) {
      const key = { webhookId: item.delivery.webhookId, orderingKey: item.delivery.orderingKey };
      const id = queueId(key);
      if ((this.#movedAt.get(id) ?? -1) > since) {
        refused.push(item);
        continue;
      }
      let queue = this.#queues.get(id);
      if (!queue) {
        queue = { id, key, items: [], inFlight: undefined, running: false, moved: undefined };
        this.#queues.set(id, queue);
      }
      item.arrivedAt = now;
      queue.items.push(item);
      if (!queue.running) idle.add(queue);
    }
    // Moves before `since` can no longer refuse anything: the recorder looks at the database after it.
    for (const [id, generation] of this.#movedAt) if (generation <= since) this.#movedAt.delete(id);
    return { idle: [...idle], refused };
  }

  /** The first item has been delivered (or failed for good). */
  shift(queue: ExpressQueue): void {
    queue.items.shift();
  }

  /** Takes the queue out to move it to the database; returns its items (the one in flight first). */
  takeOut(queue: ExpressQueue): ExpressItem[] {
    this.#queues.delete(queue.id);
    this.#movedAt.set(queue.id, ++this.#generation);
    return queue.items.splice(0);
  }

  /** Forgets a queue its worker emptied. */
  drop(queue: ExpressQueue): void {
    if (queue.items.length === 0 && this.#queues.get(queue.id) === queue) this.#queues.delete(queue.id);
  }
}

/** What the recorder sees of the express lane (the scheduler runs it). */
export interface ExpressLane {
  /** Moves to the database so far; note it before looking at the database, and pass it to `accept`. */
  readonly generation: number;
  /** Resolves when every move to the database begun so far is written. */
  moves(): Promise<void>;
  /** The queue is in memory now: its next deliveries go behind the ones there. */
  holds(key: QueueKey): boolean;
  /**
   * Takes fresh deliveries. Those of queues moved to the database since `since` go there too, as rows
   * behind the moved ones; returns their queues, to be made due once the move is written.
   */
  accept(items: readonly ExpressItem[], since: number): Promise<QueueKey[]>;
  /**
   * Moves every queue to the database and resolves when that and every finished delivery are written:
   * nothing of the recorder's is owed any more (a stop, a webhook change).
   */
  settleAll(): Promise<void>;
}
