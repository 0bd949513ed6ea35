import { randomUUID } from 'node:crypto';
import {
  type BroadcastCommand,
  type BroadcastEvent,
  type DomainEvent,
  eventSchemaVersions,
  type RecipientCommand,
  type RecipientEvent,
  streams,
  toDomainEvent,
  type UserEvent,
} from '@switchboard/contracts';
import {
  type BroadcastState,
  broadcastDecider,
  type ExistingBroadcast,
  foldState,
  type RecipientState,
  recipientDecider,
  recipientVerdict,
  type UserState,
  userDecider,
} from '@switchboard/domain';
import {
  type EventData,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@switchboard/event-store';
import { topicSubscribersAt } from '@switchboard/read-models';
import type postgres from 'postgres';

export interface FanOutOptions {
  store: EventStore;
  /** Reads the read models (a topic's subscribers as of the broadcast's request). */
  sql: postgres.Sql;
  /** Recipients per append transaction. */
  batchSize: number;
  /** Users whose connection is read at once while a batch is delivered. */
  deliveryConcurrency: number;
  now?: () => Date;
  /** Told after each step is stored (progress, tests). */
  onStep?: (step: FanOutStep) => void | Promise<void>;
}

export type FanOutStep =
  | { kind: 'resolved'; broadcastId: string; batch: number; recipients: number }
  | { kind: 'dispatched'; broadcastId: string; recipientCount: number }
  | { kind: 'settled'; broadcastId: string; batch: number; delivered: number; failed: number }
  | { kind: 'completed'; broadcastId: string; delivered: number; failed: number };

/** A broadcast as the fan-out works on it: its state, and the recipients of the batches not settled yet. */
interface Loaded {
  state: ExistingBroadcast;
  revision: bigint;
  unsettled: Map<number, string[]>;
  /** The request's event: what every event of the fan-out is caused by and correlated with. */
  cause: { eventId: string; correlationId: string };
}

/** Stream conflicts in a row (another fan-out of the same broadcast) before giving the message back. */
const MAX_CONFLICTS = 5;

/**
 * The broadcast process manager. Each step is one append transaction, decided by the broadcast's and
 * the recipients' deciders on the stored state, so it can stop anywhere and be run again, or twice at
 * once, without losing or repeating a delivery:
 *
 * 1. pending: the next page of recipients (a topic's subscribers as of the request, in user id order
 *    after the last one resolved) → `RecipientsResolved` and one `recipient-…` stream per recipient
 *    (`RecipientDeliveryStarted`, no_stream), together. No page left → `BroadcastDispatched`.
 * 2. sending: the oldest unsettled batch: each recipient's delivery is decided on the user's own stream
 *    (its connection now) → `RecipientDelivered` or `RecipientFailed` on each recipient stream (at its
 *    revision 0) and `RecipientsSettled` with the counts, together. All settled → `BroadcastCompleted`.
 *
 * Every append carries the step's command id (`broadcaster:<broadcastId>:<step>`), so a step whose
 * commit was not seen (a crash) is recognised when it is tried again.
 */
export class FanOut {
  constructor(private readonly options: FanOutOptions) {}

  /** Runs a broadcast until it is sent, or until `signal` aborts (between steps): 'stopped'. */
  async run(broadcastId: string, signal?: AbortSignal): Promise<'sent' | 'stopped' | 'missing'> {
    let loaded = await this.#load(broadcastId);
    let conflicts = 0;
    while (loaded) {
      if (loaded.state.status === 'sent') return 'sent';
      if (signal?.aborted) return 'stopped';
      try {
        loaded = await this.#step(loaded);
        conflicts = 0;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another fan-out of this broadcast moved it on: carry on from where it is now.
        if (++conflicts >= MAX_CONFLICTS) throw error;
        loaded = await this.#load(broadcastId);
      }
    }
    return 'missing';
  }

  async #step(b: Loaded): Promise<Loaded | null> {
    const { state } = b;
    if (state.status === 'pending') {
      const page = await this.#nextRecipients(state);
      if (page.length === 0) return this.#dispatch(b);
      return this.#resolve(b, page);
    }
    if (state.settledBatches < state.resolvedBatches) return this.#settle(b, state.settledBatches);
    return this.#complete(b);
  }

  #nextRecipients(state: ExistingBroadcast): Promise<string[]> | string[] {
    const { audience } = state;
    if (audience.kind === 'user') return state.resolvedBatches === 0 ? [audience.userId] : [];
    return topicSubscribersAt(this.options.sql, {
      clientId: state.clientId,
      channel: state.channel,
      at: state.requestedAt,
      after: state.cursor,
      limit: this.options.batchSize,
    });
  }

  async #resolve(b: Loaded, userIds: string[]): Promise<Loaded | null> {
    const { broadcastId, clientId, outboundMessageId, channel } = b.state;
    const batch = b.state.resolvedBatches;
    const events = this.#decideBroadcast(b.state, {
      type: 'RecordRecipientsResolved',
      data: { broadcastId, clientId, batch, userIds },
    });
    const commandId = `broadcaster:${broadcastId}:resolve:${batch}`;
    const appends: StreamAppend[] = [this.#broadcastAppend(b, events, commandId)];
    for (const userId of userIds) {
      const started = recipientDecider.decide(
        {
          type: 'StartRecipientDelivery',
          data: { broadcastId, clientId, userId, outboundMessageId, channel },
        },
        recipientDecider.initialState(),
        { now: this.#now() },
      );
      appends.push({
        stream: streams.recipient(broadcastId, userId),
        events: started.map(this.#eventData(b, commandId)),
        expectedState: 'no_stream',
      });
    }
    const next = await this.#append(b, appends, events, commandId);
    await this.options.onStep?.({ kind: 'resolved', broadcastId, batch, recipients: userIds.length });
    if (next) next.unsettled.set(batch, userIds);
    return next;
  }

  async #dispatch(b: Loaded): Promise<Loaded | null> {
    const { broadcastId, clientId } = b.state;
    const events = this.#decideBroadcast(b.state, {
      type: 'DispatchBroadcast',
      data: { broadcastId, clientId },
    });
    const commandId = `broadcaster:${broadcastId}:dispatch`;
    const next = await this.#append(b, [this.#broadcastAppend(b, events, commandId)], events, commandId);
    await this.options.onStep?.({ kind: 'dispatched', broadcastId, recipientCount: b.state.recipientCount });
    return next;
  }

  async #settle(b: Loaded, batch: number): Promise<Loaded | null> {
    const { broadcastId, clientId, outboundMessageId, channel } = b.state;
    const userIds = b.unsettled.get(batch);
    if (!userIds)
      throw new Error(`${streams.broadcast(broadcastId)}: batch ${batch} has no recorded recipients`);
    const commandId = `broadcaster:${broadcastId}:settle:${batch}`;
    const outcomes = await mapLimit(userIds, this.options.deliveryConcurrency, async (userId) => {
      const verdict = recipientVerdict(await this.#userState(userId), clientId, channel);
      const key = { broadcastId, clientId, userId };
      const command: RecipientCommand =
        verdict.outcome === 'delivered'
          ? { type: 'RecordRecipientDelivered', data: key }
          : { type: 'RecordRecipientFailed', data: { ...key, reason: verdict.reason } };
      const delivering: RecipientState = { status: 'delivering', ...key, outboundMessageId, channel };
      return {
        userId,
        delivered: verdict.outcome === 'delivered',
        events: recipientDecider.decide(command, delivering, { now: this.#now() }),
      };
    });
    const delivered = outcomes.filter((o) => o.delivered).length;
    const failed = outcomes.length - delivered;
    const events = this.#decideBroadcast(b.state, {
      type: 'RecordRecipientsSettled',
      data: { broadcastId, clientId, batch, delivered, failed },
    });
    const appends: StreamAppend[] = [this.#broadcastAppend(b, events, commandId)];
    for (const outcome of outcomes) {
      appends.push({
        stream: streams.recipient(broadcastId, outcome.userId),
        events: outcome.events.map(this.#eventData(b, commandId)),
        // Right after its start: an outcome is recorded once, in the same transaction as its batch's count.
        expectedState: 0n,
      });
    }
    const next = await this.#append(b, appends, events, commandId);
    await this.options.onStep?.({ kind: 'settled', broadcastId, batch, delivered, failed });
    next?.unsettled.delete(batch);
    return next;
  }

  async #complete(b: Loaded): Promise<Loaded | null> {
    const { broadcastId, clientId } = b.state;
    const events = this.#decideBroadcast(b.state, {
      type: 'CompleteBroadcast',
      data: { broadcastId, clientId },
    });
    const commandId = `broadcaster:${broadcastId}:complete`;
    const next = await this.#append(b, [this.#broadcastAppend(b, events, commandId)], events, commandId);
    await this.options.onStep?.({
      kind: 'completed',
      broadcastId,
      delivered: b.state.delivered,
      failed: b.state.failed,
    });
    return next;
  }

  #decideBroadcast(state: BroadcastState, command: BroadcastCommand): BroadcastEvent[] {
    return broadcastDecider.decide(command, state, { now: this.#now() });
  }

  #broadcastAppend(b: Loaded, events: BroadcastEvent[], commandId: string): StreamAppend {
    return {
      stream: streams.broadcast(b.state.broadcastId),
      events: events.map(this.#eventData(b, commandId)),
      expectedState: b.revision,
    };
  }

  /**
   * Appends a step's streams in one transaction. When the step had already been stored (its command
   * id is known) the broadcast is read again; otherwise its state moves on by the step's own events.
   */
  async #append(
    b: Loaded,
    appends: StreamAppend[],
    broadcastEvents: BroadcastEvent[],
    commandId: string,
  ): Promise<Loaded | null> {
    const nonEmpty = appends.filter((a) => a.events.length > 0);
    if (nonEmpty.length === 0) return this.#load(b.state.broadcastId);
    const results = await this.options.store.appendToStreams(nonEmpty, { commandId });
    const first = results[0];
    if (!first || first.duplicate || nonEmpty[0]?.stream !== streams.broadcast(b.state.broadcastId)) {
      return this.#load(b.state.broadcastId);
    }
    let state: BroadcastState = b.state;
    for (const event of broadcastEvents) state = broadcastDecider.evolve(state, event);
    if (state.status === 'none') return null;
    return { ...b, state, revision: first.nextExpectedRevision };
  }

  async #load(broadcastId: string): Promise<Loaded | null> {
    const recorded = await readOrEmpty(this.options.store, streams.broadcast(broadcastId));
    const first = recorded[0];
    if (!first) return null;
    let state: BroadcastState = broadcastDecider.initialState();
    const batches = new Map<number, string[]>();
    for (const event of recorded) {
      const domain = toDomainEvent(event.type, event.data) as BroadcastEvent;
      state = broadcastDecider.evolve(state, domain);
      if (domain.type === 'RecipientsResolved') batches.set(domain.data.batch, domain.data.userIds);
    }
    if (state.status === 'none') return null;
    const settled = state.settledBatches;
    for (const batch of batches.keys()) if (batch < settled) batches.delete(batch);
    const last = recorded[recorded.length - 1]!;
    const correlationId =
      typeof first.metadata.correlationId === 'string' ? first.metadata.correlationId : first.id;
    return {
      state,
      revision: last.revision,
      unsettled: batches,
      cause: { eventId: first.id, correlationId },
    };
  }

  async #userState(userId: string): Promise<UserState> {
    const recorded = await readOrEmpty(this.options.store, streams.user(userId));
    return foldState(
      userDecider,
      recorded.map((event) => toDomainEvent(event.type, event.data) as UserEvent),
    );
  }

  #eventData(b: Loaded, commandId: string): (event: BroadcastEvent | RecipientEvent) => EventData {
    return (event: DomainEvent) => ({
      id: randomUUID(),
      type: event.type,
      data: event.data,
      metadata: {
        tenant: b.state.clientId,
        correlationId: b.cause.correlationId,
        causationId: b.cause.eventId,
        commandId,
        actor: 'broadcaster',
        schemaVersion: eventSchemaVersions[event.type],
      },
    });
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

async function readOrEmpty(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/** `fn` over every item, at most `limit` at once, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
