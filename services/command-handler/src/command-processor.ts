import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { CommandEnvelope, CommandReply } from '@switchboard/bus';
import {
  type Command,
  commandAggregate,
  commandIssues,
  commandStream,
  type DomainEvent,
  eventIssues,
  eventSchemaVersions,
  isCommandType,
} from '@switchboard/contracts';
import { type AnyDecider, deciderFor, isDomainError } from '@switchboard/domain';
import { type EventData, type EventStore, WrongExpectedVersionError } from '@switchboard/event-store';
import { currentTraceparent, LabelledCounter } from '@switchboard/telemetry';
import { type CommandResult, commandResult, domainErrorReply, resultDetails } from './command-results.js';
import type { KeyedQueue } from './keyed-queue.js';
import type { PriorResult } from './prior-results.js';
import type { StreamStates } from './stream-states.js';

export interface CommandProcessorDeps {
  store: EventStore;
  states: StreamStates;
  /** Serialises the commands of one stream inside this process. */
  queue: KeyedQueue;
  /** The recorded outcome of a command id that was already appended. */
  priorResult(commandId: string, stream: string): Promise<PriorResult | null>;
  /** Decide-and-append attempts when another writer moves the stream in between. */
  appendAttempts: number;
  now?: () => Date;
}

export type CommandOutcome = CommandReply<CommandResult>;

const tracer = () => trace.getTracer('command-handler');

const handled = new LabelledCounter('switchboard_commands_handled', 'Commands answered, by type', ['type']);
const rejected = new LabelledCounter(
  'switchboard_commands_rejected',
  'Commands answered with anything but ok (rejected, not_found, conflict, unavailable, error), by type',
  ['type', 'status'],
);

/**
 * One command, start to end: validate, load the stream's state, decide, append with the revision the
 * decision was made on; when another writer got there first, decide again on the newer state.
 */
export class CommandProcessor {
  #conflicts = 0;

  constructor(private readonly deps: CommandProcessorDeps) {}

  /** Appends refused because another writer moved the stream first (each one was decided again). */
  get conflicts(): number {
    return this.#conflicts;
  }

  handle(envelope: CommandEnvelope): Promise<CommandOutcome> {
    return tracer().startActiveSpan(
      `decide ${envelope.type}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'switchboard.command_type': envelope.type,
          'switchboard.command_id': envelope.commandId,
          'switchboard.tenant': envelope.tenant,
        },
      },
      async (span) => {
        try {
          const outcome = await this.#handle(envelope);
          countOutcome(envelope.type, outcome.status);
          span.setAttribute('switchboard.outcome', outcome.status);
          if (outcome.status !== 'ok')
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
          return outcome;
        } catch (err) {
          countOutcome(envelope.type, 'error');
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: err instanceof Error ? err.message : String(err),
          });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  async #handle(envelope: CommandEnvelope): Promise<CommandOutcome> {
    const { type, payload, tenant } = envelope;
    if (!isCommandType(type)) {
      return { status: 'rejected', code: 'unknown_command', message: `unknown command type "${type}"` };
    }
    const issues = commandIssues(type, payload);
    if (issues.length > 0) {
      return { status: 'rejected', code: 'invalid', message: `invalid ${type} command`, details: { issues } };
    }
    const command = { type, data: payload } as Command;
    // A tenant acts only on its own aggregates; another's is "not found", never "forbidden".
    if (command.data.clientId !== tenant) {
      return { status: 'not_found', message: `${commandAggregate[type]} not found` };
    }
    const stream = commandStream(command);
    trace.getActiveSpan()?.setAttribute('switchboard.stream', stream);
    return this.deps.queue.run(stream, () =>
      this.#decideAndAppend(envelope, command, stream, deciderFor(type)),
    );
  }

  async #decideAndAppend(
    envelope: CommandEnvelope,
    command: Command,
    stream: string,
    decider: AnyDecider,
  ): Promise<CommandOutcome> {
    const { store, states } = this.deps;
    for (let attempt = 1; attempt <= this.deps.appendAttempts; attempt++) {
      const loaded = await states.load(stream, decider);
      let events: DomainEvent[];
      try {
        events = decider.decide(command, loaded.state, { now: this.deps.now?.() ?? new Date() });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        // A retry of a command that did apply now meets the state it made (e.g. "already exists").
        return (await this.#prior(envelope, stream)) ?? domainErrorReply(err);
      }

      if (events.length === 0) {
        const prior = await this.#prior(envelope, stream);
        if (prior) return prior;
        // A no-op still answers a position: the state that made it one is readable from there on.
        const position = loaded.position ?? (await store.headPosition()) ?? { commit: 0n, prepare: 0n };
        const revision = loaded.revision ?? -1n;
        return ok(commandResult(position, revision, resultDetails(command, events, loaded.state)));
      }

      for (const event of events) {
        const problems = eventIssues(event.type, event.data);
        if (problems.length > 0) {
          throw new Error(`decider produced an invalid ${event.type}: ${JSON.stringify(problems)}`);
        }
      }
      const stateAfter = events.reduce((s, e) => decider.evolve(s, e), loaded.state);
      const details = resultDetails(command, events, stateAfter);
      try {
        const appended = await store.appendToStream(stream, events.map(toEventData(envelope)), {
          expectedState: loaded.revision ?? 'no_stream',
          commandId: envelope.commandId,
          result: details,
        });
        if (appended.duplicate) {
          return ok(commandResult(appended.position, appended.nextExpectedRevision, appended.result));
        }
        states.remember(
          stream,
          { state: stateAfter, revision: appended.nextExpectedRevision, position: appended.position },
          decider,
        );
        return ok(commandResult(appended.position, appended.nextExpectedRevision, details));
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        // Behind is the normal race; not ahead means the cached state is of a stream since deleted.
        const actual = err.actualRevision;
        if (actual === 'no_stream' || (loaded.revision !== null && actual <= loaded.revision))
          states.forget(stream);
        trace.getActiveSpan()?.addEvent('stream moved on, deciding again', { attempt });
        this.#conflicts++;
        // Jitter, so that two processes racing for one stream do not stay in step.
        if (attempt < this.deps.appendAttempts) await delay(Math.random() * Math.min(2 ** attempt, 100));
      }
    }
    return {
      status: 'unavailable',
      message:
        `${stream} kept changing while ${envelope.type} was decided (${this.deps.appendAttempts} attempts); ` +
        `nothing was appended, retry the command with the same commandId`,
    };
  }

  async #prior(envelope: CommandEnvelope, stream: string): Promise<CommandOutcome | null> {
    const prior = await this.deps.priorResult(envelope.commandId, stream);
    return prior ? ok(commandResult(prior.position, prior.revision, prior.result)) : null;
  }
}

/** The type comes from the caller: an unknown one is counted as such, not as a new label value. */
function countOutcome(type: string, status: string): void {
  const known = isCommandType(type) ? type : 'unknown';
  handled.add(known);
  if (status !== 'ok') rejected.add(known, status);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const ok = (result: CommandResult): CommandOutcome => ({ status: 'ok', result });

/** Every event carries who asked for it and why, and the trace it continues. */
function toEventData(envelope: CommandEnvelope): (event: DomainEvent) => EventData {
  const traceparent = currentTraceparent() ?? envelope.metadata.traceparent;
  return (event) => ({
    id: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: {
      tenant: envelope.tenant,
      correlationId: envelope.metadata.correlationId,
      causationId: envelope.commandId,
      commandId: envelope.commandId,
      ...(envelope.metadata.actor === undefined ? {} : { actor: envelope.metadata.actor }),
      ...(traceparent === undefined ? {} : { traceparent }),
      schemaVersion: eventSchemaVersions[event.type],
    },
  });
}
