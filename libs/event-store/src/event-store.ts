import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import {
  appendStatements,
  diagnoseSql,
  knownCommandSql,
  recordCommandSql,
  storedIdsSql,
} from './append-sql.js';
import { measuredAppend } from './append-telemetry.js';
import {
  DuplicateEventIdError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from './errors.js';
import { type ExpectedKind, expectedKind, satisfies } from './expected-state.js';
import { notifyChannel } from './migrations.js';
import { afterAll, beforeAll } from './position.js';
import {
  headPositionSql,
  readAllBackwardsSql,
  readAllForwardsSql,
  readCorrelatedSql,
  readStreamBackwardsSql,
  readStreamForwardsSql,
  streamStateSql,
  subscriptionPageSql,
} from './read-sql.js';
import { type EventRow, rowPosition, toRecordedEvent } from './rows.js';
import { assertStreamName, streamCategory } from './stream-name.js';
import { PollingSubscription, type SubscriptionPage } from './subscription.js';
import type {
  AllFilter,
  AllSubscription,
  AppendOptions,
  AppendResult,
  DeleteOptions,
  EventData,
  EventStore,
  ExpectedState,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  StreamMetadata,
  SubscribeToAllOptions,
  Upcaster,
} from './types.js';
import { indexUpcasters } from './upcast.js';
import { Wakeups } from './wakeups.js';

export interface EventStoreOptions {
  /** The caller's pool; the store never ends it. See `connectEventStore` for recommended settings. */
  sql: postgres.Sql;
  /**
   * What turns stored events of older shapes into the current ones (`eventUpcasters` of
   * `@switchboard/contracts` for the catalogue). Required: a reader without them hands old shapes to
   * code written for the new ones, which is how a rebuild once lost every provider id of v1
   * `DeliverySent` events. Pass `[]` only where no catalogue event is read.
   */
  upcasters: readonly Upcaster[];
  /** Longest a caught-up subscriber sleeps without a wake-up. */
  pollIntervalMs?: number;
}

type Queryable = postgres.ISql;

interface StoredEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

interface CommandRow {
  result: unknown;
  appends: { stream: string; revision: string; commit: string; prepare: string }[];
}

interface StreamStateRow {
  last: string | null;
  deleted: string | null;
  tombstoned: boolean | null;
}

const maxBigint = 2n ** 63n - 1n;
/** A revision the retry loop gives up on: state changed under us this many times in a row. */
const appendAttempts = 3;
/** Rows a filtered subscription scans per page at least. */
const filterScanWindow = 2000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createEventStore(opts: EventStoreOptions): EventStore {
  return new PostgresEventStore(opts);
}

class PostgresEventStore implements EventStore {
  readonly #sql: postgres.Sql;
  readonly #upcasters: ReadonlyMap<string, Upcaster>;
  readonly #pollIntervalMs: number;
  readonly #wakeups = new Wakeups();
  readonly #subscriptions = new Set<PollingSubscription>();
  #listeners = 0;
  #listening: Promise<postgres.ListenMeta> | null = null;
  #closed = false;

  constructor(opts: EventStoreOptions) {
    this.#sql = opts.sql;
    this.#upcasters = indexUpcasters(opts.upcasters ?? []);
    this.#pollIntervalMs = opts.pollIntervalMs ?? 500;
    if (!(this.#pollIntervalMs > 0)) throw new RangeError('pollIntervalMs must be positive');
  }

  // ---- appends ----

  appendToStream(stream: string, events: EventData[], opts: AppendOptions = {}): Promise<AppendResult> {
    return measuredAppend([stream], events.length, () => this.#appendToStream(stream, events, opts));
  }

  async #appendToStream(stream: string, events: EventData[], opts: AppendOptions): Promise<AppendResult> {
    assertStreamName(stream);
    const expected = opts.expectedState ?? 'any';
    const stored = toStoredEvents(events);
    const commandId = opts.commandId ?? null;
    try {
      for (let attempt = 1; ; attempt++) {
        const row = await this.#appendOne(this.#sql, stream, expected, stored, commandId, opts.result);
        if (row) return withoutStream(row);
        const outcome = await this.#nothingWritten(this.#sql, stream, expected, commandId);
        if (outcome !== 'retry') return pick(outcome, stream);
        if (attempt === appendAttempts) throw await this.#wrongState(this.#sql, stream, expected);
      }
    } catch (err) {
      if (isUniqueViolation(err, 'commands_pkey') && commandId) {
        const known = await this.#knownCommand(this.#sql, commandId);
        if (known) return pick(known, stream);
      }
      if (isUniqueViolation(err, 'events_event_id_unique')) return this.#afterDuplicateId(stream, stored);
      if (err instanceof WrongExpectedVersionError) {
        // a retry of an append that succeeded finds the stream moved on: still the same answer
        const retried = await this.#retriedEvents(stream, stored);
        if (typeof retried === 'object') return retried;
      }
      throw err;
    }
  }

  appendToStreams(
    appends: StreamAppend[],
    opts: { commandId?: string; result?: unknown } = {},
  ): Promise<AppendResult[]> {
    const streams = appends.map((a) => a.stream);
    const events = appends.reduce((n, a) => n + a.events.length, 0);
    return measuredAppend(streams, events, () => this.#appendToStreams(appends, opts));
  }

  async #appendToStreams(
    appends: StreamAppend[],
    opts: { commandId?: string; result?: unknown },
  ): Promise<AppendResult[]> {
    if (appends.length === 0) throw new TypeError('appendToStreams needs at least one append');
    const prepared = appends.map((a) => {
      assertStreamName(a.stream);
      return { stream: a.stream, expected: a.expectedState ?? 'any', events: toStoredEvents(a.events) };
    });
    assertUniqueIds(prepared.flatMap((a) => a.events));
    const commandId = opts.commandId ?? null;
    try {
      const results = await this.#sql.begin(async (tx) => {
        if (commandId) {
          const known = await this.#knownCommand(tx, commandId);
          if (known) return known;
        }
        // Sent together: the statements queue on the transaction's connection and cost one round trip,
        // not one each (a broadcast's batch appends to hundreds of streams). They still run in order.
        const rows = await Promise.all(
          prepared.map((a) => this.#appendOne(tx, a.stream, a.expected, a.events, null, opts.result)),
        );
        const written: (AppendResult & { stream: string })[] = [];
        for (const [i, a] of prepared.entries()) {
          const row = rows[i];
          if (!row) throw await this.#wrongState(tx, a.stream, a.expected);
          written.push(row);
        }
        if (commandId) {
          await tx.unsafe(
            recordCommandSql,
            [commandId, jsonParam(tx, opts.result), jsonParam(tx, written.map(storedAppend))],
            { prepare: true },
          );
        }
        return written;
      });
      return results.map(withoutStream);
    } catch (err) {
      // an identical command that committed first: its commands row clashes with ours, or its appends
      // moved the streams past our expected states
      if (
        commandId &&
        (isUniqueViolation(err, 'commands_pkey') || err instanceof WrongExpectedVersionError)
      ) {
        const known = await this.#knownCommand(this.#sql, commandId);
        if (known) return known.map(withoutStream);
      }
      if (isUniqueViolation(err, 'events_event_id_unique')) {
        const retried: AppendResult[] = [];
        for (const a of prepared) retried.push(await this.#afterDuplicateId(a.stream, a.events));
        return retried;
      }
      if (err instanceof WrongExpectedVersionError) {
        const retried: AppendResult[] = [];
        for (const a of prepared) {
          const r = await this.#retriedEvents(a.stream, a.events);
          if (typeof r !== 'object') throw err;
          retried.push(r);
        }
        return retried;
      }
      throw err;
    }
  }

  /** Runs the one-statement append; undefined when it wrote nothing. */
  async #appendOne(
    q: Queryable,
    stream: string,
    expected: ExpectedState,
    events: StoredEvent[],
    commandId: string | null,
    result: unknown,
  ): Promise<(AppendResult & { stream: string }) | undefined> {
    const kind: ExpectedKind = expectedKind(expected);
    const params: postgres.ParameterOrJSON<never>[] = [
      stream,
      streamCategory(stream),
      events.length,
      jsonParam(q, events),
      commandId,
      jsonParam(q, result),
    ];
    if (kind === 'revision') params.push(String(expected));
    const rows = await q.unsafe<{ revision: string; commit: string; prepare: string }[]>(
      appendStatements[kind],
      params,
      { prepare: true },
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      stream,
      nextExpectedRevision: BigInt(row.revision),
      position: rowPosition(row),
      duplicate: false,
      ...(result === undefined ? {} : { result }),
    };
  }

  /** After an append wrote nothing: the command's first results, 'retry' (state matches now), or throws. */
  async #nothingWritten(
    q: Queryable,
    stream: string,
    expected: ExpectedState,
    commandId: string | null,
  ): Promise<(AppendResult & { stream: string })[] | 'retry'> {
    const [row] = await q.unsafe<(CommandRow & StreamStateRow & { known: boolean })[]>(
      diagnoseSql,
      [commandId, stream],
      { prepare: true },
    );
    if (row?.known) return commandResults(row);
    const actual = actualRevision(stream, row);
    if (satisfies(expected, actual)) return 'retry';
    throw new WrongExpectedVersionError(stream, expected, actual);
  }

  async #wrongState(q: Queryable, stream: string, expected: ExpectedState): Promise<Error> {
    const [row] = await q.unsafe<StreamStateRow[]>(streamStateSql, [stream], { prepare: true });
    return new WrongExpectedVersionError(stream, expected, actualRevision(stream, row));
  }

  async #knownCommand(
    q: Queryable,
    commandId: string,
  ): Promise<(AppendResult & { stream: string })[] | null> {
    const [row] = await q.unsafe<CommandRow[]>(knownCommandSql, [commandId], { prepare: true });
    return row ? commandResults(row) : null;
  }

  /**
   * If the whole batch is already stored, in this stream, in order and consecutively, this is a retry
   * of an append that succeeded: what it wrote, flagged duplicate (KurrentDB-style idempotence).
   * 'none' when no id is stored, 'clash' when some are but not as such a retry.
   */
  async #retriedEvents(stream: string, events: StoredEvent[]): Promise<AppendResult | 'none' | 'clash'> {
    const rows = await this.#sql.unsafe<
      {
        id: string;
        stream: string | null;
        revision: string | null;
        commit: string | null;
        prepare: string | null;
      }[]
    >(storedIdsSql, [events.map((e) => e.id)], { prepare: true });
    const first = rows[0]?.revision;
    const last = rows[rows.length - 1];
    if (!rows.some((r) => r.revision != null)) return 'none';
    const exactRetry =
      first != null &&
      rows.every(
        (r, i) =>
          r.stream === stream && r.revision != null && BigInt(r.revision) === BigInt(first) + BigInt(i),
      );
    if (!exactRetry || !last?.revision || !last.commit || !last.prepare) return 'clash';
    return {
      nextExpectedRevision: BigInt(last.revision),
      position: rowPosition({ commit: last.commit, prepare: last.prepare }),
      duplicate: true,
    };
  }

  /** After a unique violation on an event id: the retried append's result, or the error. */
  async #afterDuplicateId(stream: string, events: StoredEvent[]): Promise<AppendResult> {
    const retried = await this.#retriedEvents(stream, events);
    if (typeof retried === 'object') return retried;
    const ids = new Set(events.map((e) => e.id));
    const [taken] = await this.#sql<{ id: string }[]>`
      SELECT event_id::text AS id FROM es.events WHERE event_id = ANY (${[...ids]}::uuid[]) LIMIT 1`;
    throw new DuplicateEventIdError(taken?.id ?? events[0]?.id ?? '');
  }

  // ---- reads ----

  async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamName(stream);
    const direction = opts.direction ?? 'forwards';
    const from = opts.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const fromRevision = from === 'start' ? 0n : from === 'end' ? maxBigint : from;
    const rows = await this.#sql.unsafe<(StreamStateRow & Partial<EventRow> & { id: string | null })[]>(
      direction === 'forwards' ? readStreamForwardsSql : readStreamBackwardsSql,
      [stream, fromRevision.toString(), limitParam(opts.maxCount)],
      { prepare: true },
    );
    const head = rows[0];
    if (!head) throw new StreamNotFoundError(stream);
    if (head.tombstoned) throw new StreamDeletedError(stream);
    if (actualRevision(stream, head) === 'no_stream') throw new StreamNotFoundError(stream);
    return rows.filter((r) => r.id !== null).map((r) => toRecordedEvent(r as EventRow, this.#upcasters));
  }

  async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const direction = opts.direction ?? 'forwards';
    const from = opts.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
    const bound: Position = from === 'start' ? beforeAll : from === 'end' ? afterAll : from;
    const rows = await this.#sql.unsafe<EventRow[]>(
      direction === 'forwards' ? readAllForwardsSql : readAllBackwardsSql,
      [
        bound.commit.toString(),
        bound.prepare.toString(),
        limitParam(opts.maxCount),
        ...filterParams(opts.filter),
      ],
      { prepare: true },
    );
    return rows.map((r) => toRecordedEvent(r, this.#upcasters));
  }

  async readCorrelated(correlationId: string, opts: { maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const rows = await this.#sql.unsafe<EventRow[]>(
      readCorrelatedSql,
      [correlationId, limitParam(opts.maxCount) ?? 10_000],
      { prepare: true },
    );
    return rows.map((r) => toRecordedEvent(r, this.#upcasters));
  }

  async headPosition(): Promise<Position | null> {
    const [row] = await this.#sql.unsafe<{ commit: string; prepare: string }[]>(headPositionSql, [], {
      prepare: true,
    });
    return row ? rowPosition(row) : null;
  }

  subscribeToAll(opts: SubscribeToAllOptions = {}): AllSubscription {
    if (this.#closed) throw new Error('the event store is closed');
    const batchSize = opts.batchSize ?? 512;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError('batchSize must be a positive integer');
    const subscription = new PollingSubscription(
      {
        readPage: (after, limit, filter) => this.#readPage(after, limit, filter),
        startAfter: async (from) =>
          from === 'start' ? beforeAll : from === 'end' ? ((await this.headPosition()) ?? beforeAll) : from,
        listen: () => this.#acquireListener(),
        wakeups: this.#wakeups,
        pollIntervalMs: this.#pollIntervalMs,
      },
      opts.fromPosition ?? 'start',
      opts.filter,
      batchSize,
      (s) => this.#subscriptions.delete(s),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async #readPage(after: Position, limit: number, filter: AllFilter | undefined): Promise<SubscriptionPage> {
    // a filter may skip many rows per match: scan a wider window, still returning at most `limit`
    const window = filter ? Math.max(limit, filterScanWindow) : limit;
    const rows = await this.#sql.unsafe<
      (EventRow & {
        inflight: boolean;
        matched: boolean | null;
        ordinal: string | null;
        scanned: string | null;
      })[]
    >(
      subscriptionPageSql,
      [after.commit.toString(), after.prepare.toString(), window, ...filterParams(filter), limit],
      { prepare: true },
    );
    const inflight = rows[0]?.inflight ?? true;
    const last = rows[rows.length - 1];
    if (!last || last.scanned == null) return { events: [], scannedTo: null, more: false, inflight };
    const events = rows
      .filter((r) => r.matched && Number(r.ordinal) <= limit)
      .map((r) => toRecordedEvent(r, this.#upcasters));
    if (Number(last.ordinal) > limit) {
      // more matches than fit: resume right after the last one returned
      return { events, scannedTo: events[events.length - 1]!.position, more: true, inflight };
    }
    return { events, scannedTo: rowPosition(last), more: Number(last.scanned) >= window, inflight };
  }

  /** One LISTEN per store, shared by its subscriptions; a (re)connected listener wakes everyone. */
  async #acquireListener(): Promise<() => Promise<void>> {
    this.#listeners++;
    const wake = () => this.#wakeups.wake();
    this.#listening ??= this.#sql.listen(notifyChannel, wake, wake);
    const listening = this.#listening;
    try {
      await listening;
    } catch (err) {
      this.#listeners--;
      if (this.#listening === listening) this.#listening = null;
      throw err;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.#listeners--;
      if (this.#listeners === 0 && this.#listening === listening) {
        this.#listening = null;
        await (await listening).unlisten();
      }
    };
  }

  // ---- stream metadata and deletion ----

  async getStreamMetadata(stream: string): Promise<StreamMetadata | null> {
    assertStreamName(stream);
    const [row] = await this.#sql.unsafe<(StreamStateRow & { metadata: Record<string, unknown> | null })[]>(
      streamStateSql,
      [stream],
      { prepare: true },
    );
    if (row?.tombstoned) throw new StreamDeletedError(stream);
    if (!row?.metadata) return null;
    const { truncateBefore, ...rest } = row.metadata;
    return truncateBefore == null ? rest : { ...rest, truncateBefore: BigInt(truncateBefore as string) };
  }

  async setStreamMetadata(stream: string, meta: StreamMetadata): Promise<void> {
    assertStreamName(stream);
    const stored = toStoredStreamMetadata(meta);
    const rows = await this.#sql`
      INSERT INTO es.streams AS s (name, category, metadata)
      VALUES (${stream}, ${streamCategory(stream)}, ${this.#sql.json(stored as postgres.JSONValue)})
      ON CONFLICT (name) DO UPDATE SET metadata = excluded.metadata WHERE NOT s.tombstoned
      RETURNING 1 AS ok`;
    if (rows.length === 0) throw new StreamDeletedError(stream);
  }

  deleteStream(stream: string, opts: DeleteOptions = {}): Promise<void> {
    return this.#delete(stream, opts.expectedState ?? 'any', 'soft');
  }

  tombstoneStream(stream: string, opts: DeleteOptions = {}): Promise<void> {
    return this.#delete(stream, opts.expectedState ?? 'any', 'hard');
  }

  async #delete(stream: string, expected: ExpectedState, how: 'soft' | 'hard'): Promise<void> {
    assertStreamName(stream);
    expectedKind(expected);
    for (let attempt = 1; attempt <= appendAttempts; attempt++) {
      const done = await this.#sql.begin(async (tx) => {
        const [row] = await tx<StreamStateRow[]>`
          SELECT revision::text AS last, deleted_at_revision::text AS deleted, tombstoned
          FROM es.streams WHERE name = ${stream} FOR UPDATE`;
        if (row?.tombstoned) throw new StreamDeletedError(stream);
        const actual = actualRevision(stream, row);
        if (!satisfies(expected, actual)) throw new WrongExpectedVersionError(stream, expected, actual);
        if (how === 'soft') {
          if (row) await tx`UPDATE es.streams SET deleted_at_revision = revision WHERE name = ${stream}`;
          return true;
        }
        if (row) {
          await tx`UPDATE es.streams SET tombstoned = true WHERE name = ${stream}`;
          return true;
        }
        // no row to lock: a concurrent creator makes this insert a no-op, and we look again
        const inserted = await tx`
          INSERT INTO es.streams (name, category, tombstoned) VALUES (${stream}, ${streamCategory(stream)}, true)
          ON CONFLICT (name) DO NOTHING RETURNING 1 AS ok`;
        return inserted.length > 0;
      });
      if (done) return;
    }
    throw new Error(`could not delete ${stream}: it kept changing`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    const listening = this.#listening;
    this.#listening = null;
    if (listening) await (await listening.catch(() => null))?.unlisten();
  }
}

// ---- helpers ----

function toStoredEvents(events: EventData[]): StoredEvent[] {
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError('an append needs at least one event');
  const stored = events.map((e): StoredEvent => {
    if (typeof e.type !== 'string' || e.type.length === 0)
      throw new TypeError('an event type is a non-empty string');
    const id = e.id ?? randomUUID();
    if (!uuidPattern.test(id)) throw new TypeError(`event id ${id} is not a UUID`);
    const metadata = { ...(e.metadata ?? {}) };
    metadata.schemaVersion ??= 1;
    return { id: id.toLowerCase(), type: e.type, data: e.data === undefined ? null : e.data, metadata };
  });
  assertUniqueIds(stored);
  return stored;
}

function assertUniqueIds(events: StoredEvent[]): void {
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) throw new DuplicateEventIdError(e.id);
    seen.add(e.id);
  }
}

function toStoredStreamMetadata(meta: StreamMetadata): Record<string, unknown> {
  const { maxAge, maxCount, truncateBefore, ...rest } = meta;
  if (maxAge !== undefined && !(typeof maxAge === 'number' && maxAge > 0)) {
    throw new RangeError('maxAge is a positive number of seconds');
  }
  if (maxCount !== undefined && !(Number.isInteger(maxCount) && maxCount > 0)) {
    throw new RangeError('maxCount is a positive integer');
  }
  if (truncateBefore !== undefined && !(typeof truncateBefore === 'bigint' && truncateBefore >= 0n)) {
    throw new RangeError('truncateBefore is a bigint revision, 0 or more');
  }
  return {
    ...rest,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(maxCount === undefined ? {} : { maxCount }),
    ...(truncateBefore === undefined ? {} : { truncateBefore: truncateBefore.toString() }),
  };
}

/** The stream's last live revision, or 'no_stream' (no row, no events, or soft-deleted). */
function actualRevision(stream: string, row: StreamStateRow | undefined): bigint | 'no_stream' {
  if (!row || row.last == null || row.deleted == null) return 'no_stream';
  if (row.tombstoned) throw new StreamDeletedError(stream);
  const last = BigInt(row.last);
  return last > BigInt(row.deleted) ? last : 'no_stream';
}

function commandResults(row: CommandRow): (AppendResult & { stream: string })[] {
  return row.appends.map((a) => ({
    stream: a.stream,
    nextExpectedRevision: BigInt(a.revision),
    position: rowPosition(a),
    duplicate: true,
    ...(row.result === null || row.result === undefined ? {} : { result: row.result }),
  }));
}

function withoutStream({ stream: _, ...result }: AppendResult & { stream: string }): AppendResult {
  return result;
}

/** The result for `stream` among a command's results (a command may have appended to several). */
function pick(results: (AppendResult & { stream: string })[], stream: string): AppendResult {
  const found = results.find((r) => r.stream === stream) ?? results[0];
  if (!found) throw new Error(`no stored result for ${stream}`);
  return withoutStream(found);
}

function storedAppend(r: AppendResult & { stream: string }) {
  return {
    stream: r.stream,
    revision: r.nextExpectedRevision.toString(),
    commit: r.position.commit.toString(),
    prepare: r.position.prepare.toString(),
  };
}

function jsonParam(q: Queryable, value: unknown): postgres.ParameterOrJSON<never> {
  return value === undefined || value === null ? null : q.json(value as postgres.JSONValue);
}

function limitParam(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError('maxCount is an integer, 0 or more');
  return maxCount;
}

function filterParams(filter: AllFilter | undefined): (string[] | string | null)[] {
  return [filter?.streamCategories ?? null, filter?.eventTypes ?? null, filter?.tenant ?? null];
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  return err instanceof postgres.PostgresError && err.code === '23505' && err.constraint_name === constraint;
}
