/**
 * Which messages of `EVENTS` are settled: everything they mean for the webhooks is in the database.
 * An event whose deliveries go through the express lane (sent from memory, written once finished) is
 * settled only when the last of them is written. Its message is acknowledged then, and the recorder's
 * checkpoint never passes it before: after a crash, the log is read again from the checkpoint, and
 * whatever the express lane had in memory is planned again.
 *
 * Sequences are planned in increasing order, each with the number of writes still owed for it. The
 * watermark is the highest sequence with nothing owed at or below it.
 */
export class Settlement {
  /** Owed writes by planned sequence, in planning order; settled ones leave from the front. */
  readonly #owed = new Map<number, number>();
  readonly #waiting = new Map<number, (() => void)[]>();
  #planned: number;
  #written: number;

  /** `from`: the checkpoint read at start: everything up to it is settled and written. */
  constructor(from: number) {
    this.#planned = from;
    this.#written = from;
  }

  /** Highest sequence at or below which everything is settled. */
  get watermark(): number {
    const first = this.#owed.keys().next();
    return first.done ? this.#planned : first.value - 1;
  }

  /** Highest sequence planned. */
  get planned(): number {
    return this.#planned;
  }

  /** Highest watermark known to be in the checkpoint. */
  get written(): number {
    return this.#written;
  }

  /** Sequences planned and not settled. */
  get unsettled(): number {
    return this.#owed.size;
  }

  /** Plans the next sequence, owing `writes` (0: settled now). Sequences skipped are settled. */
  plan(seq: number, writes: number): void {
    if (seq <= this.#planned) throw new Error(`sequence ${seq} planned after ${this.#planned}`);
    this.#planned = seq;
    // Nothing can wait for it yet: `whenSettled` of a sequence not planned answers at once.
    if (writes > 0) this.#owed.set(seq, writes);
  }

  /** One write owed for `seq` is done (`count` of them). */
  settle(seq: number, count = 1): void {
    const owed = this.#owed.get(seq);
    if (owed === undefined) throw new Error(`sequence ${seq} owes nothing`);
    if (owed > count) {
      this.#owed.set(seq, owed - count);
      return;
    }
    this.#owed.delete(seq);
    this.#notify(seq);
  }

  /** Calls `then` once `seq` is settled: now when it is (or was never planned at all). */
  whenSettled(seq: number, then: () => void): void {
    if (!this.#owed.has(seq)) {
      then();
      return;
    }
    const list = this.#waiting.get(seq) ?? [];
    list.push(then);
    this.#waiting.set(seq, list);
  }

  /**
   * The watermark as it will be once the writes in `settling` (sequence → writes) are done: what a
   * statement carrying those writes may put in the checkpoint.
   */
  watermarkAfter(settling: ReadonlyMap<number, number>): number {
    for (const [seq, owed] of this.#owed) {
      if ((settling.get(seq) ?? 0) < owed) return seq - 1;
    }
    return this.#planned;
  }

  /** A checkpoint of `seq` was committed. */
  wrote(seq: number): void {
    this.#written = Math.max(this.#written, seq);
  }

  #notify(seq: number): void {
    const list = this.#waiting.get(seq);
    if (!list) return;
    this.#waiting.delete(seq);
    for (const then of list) then();
  }
}
