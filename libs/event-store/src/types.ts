/**
 * Expected state of a stream before an append or delete. A bigint is the exact revision of the stream's
 * last event (the first event is revision 0n).
 */
export type ExpectedState = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** Place in `$all`: commit = the writing transaction's id (xid8), prepare = global_position. */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export interface EventMetadata {
  tenant?: string;
  correlationId?: string;
  causationId?: string;
  commandId?: string;
  actor?: string;
  traceparent?: string;
  /** Version of the event's data shape; 1 when absent. */
  schemaVersion?: number;
  [k: string]: unknown;
}

export interface EventData<T = unknown> {
  /** UUID; generated when absent. */
  id?: string;
  type: string;
  data: T;
  metadata?: EventMetadata;
}

export interface RecordedEvent<T = unknown> {
  id: string;
  type: string;
  streamName: string;
  revision: bigint;
  position: Position;
  data: T;
  metadata: EventMetadata;
  created: Date;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append: the expected state of the next one. */
  nextExpectedRevision: bigint;
  /** Position of the last event written. */
  position: Position;
  /** True when the command id (or the event ids) had already been appended: nothing was written. */
  duplicate: boolean;
  /** The command's result, as stored by its first execution. */
  result?: unknown;
}

export interface AppendOptions {
  expectedState?: ExpectedState;
  commandId?: string;
  result?: unknown;
}

export interface StreamAppend {
  stream: string;
  events: EventData[];
  expectedState?: ExpectedState;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. */
  fromRevision?: 'start' | 'end' | bigint;
  direction?: ReadDirection;
  maxCount?: number;
}

/** Category = the stream name before its first '-'. */
export interface AllFilter {
  streamCategories?: string[];
  eventTypes?: string[];
  tenant?: string;
}

export interface ReadAllOptions {
  /** Exclusive. */
  fromPosition?: 'start' | 'end' | Position;
  direction?: ReadDirection;
  maxCount?: number;
  filter?: AllFilter;
}

export interface SubscribeToAllOptions {
  /** Exclusive: a stored checkpoint resumes after the event it names. */
  fromPosition?: 'start' | 'end' | Position;
  filter?: AllFilter;
  batchSize?: number;
}

/** Catch-up, then live. Iterate events or batches (not both); stop with close() or by breaking out. */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  batches(): AsyncIterable<RecordedEvent[]>;
  close(): Promise<void>;
}

export interface StreamMetadata {
  /** Seconds: older events are hidden from readStream. */
  maxAge?: number;
  /** Only the latest maxCount events are visible to readStream. */
  maxCount?: number;
  /** Events below this revision are hidden from readStream. */
  truncateBefore?: bigint;
  [k: string]: unknown;
}

export interface DeleteOptions {
  expectedState?: ExpectedState;
}

/** Turns an event stored at `fromVersion` into the next version; chained on every read. */
export interface Upcaster {
  eventType: string;
  fromVersion: number;
  upcast(e: { type: string; data: unknown; metadata: EventMetadata }): {
    type: string;
    data: unknown;
    metadata: EventMetadata;
  };
}

export interface EventStore {
  appendToStream(stream: string, events: EventData[], opts?: AppendOptions): Promise<AppendResult>;
  /** All or nothing, in one transaction. */
  appendToStreams(
    appends: StreamAppend[],
    opts?: { commandId?: string; result?: unknown },
  ): Promise<AppendResult[]>;
  readStream(stream: string, opts?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(opts?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Every event recorded with this correlation id (metadata \`correlationId\`), across streams and
   * deleted streams too, in \`$all\` order; at most \`maxCount\` (default 10,000).
   */
  readCorrelated(correlationId: string, opts?: { maxCount?: number }): Promise<RecordedEvent[]>;
  subscribeToAll(opts?: SubscribeToAllOptions): AllSubscription;
  /** Last position visible to `$all` readers, or null while `$all` is empty. */
  headPosition(): Promise<Position | null>;
  getStreamMetadata(stream: string): Promise<StreamMetadata | null>;
  setStreamMetadata(stream: string, meta: StreamMetadata): Promise<void>;
  deleteStream(stream: string, opts?: DeleteOptions): Promise<void>;
  tombstoneStream(stream: string, opts?: DeleteOptions): Promise<void>;
  close(): Promise<void>;
}
