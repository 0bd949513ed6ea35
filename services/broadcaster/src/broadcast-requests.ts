import type { JsMsg } from '@nats-io/jetstream';
import { type ConsumeOutcome, keepWorking, outcome } from '@switchboard/bus';
import { type BroadcastRequestedData, eventUpcasters, toDomainEvent } from '@switchboard/contracts';
import { parseRelayedEvent } from '@switchboard/event-store';
import type { ProjectionWaiter } from '@switchboard/read-models';
import type { Logger } from '@switchboard/telemetry';
import type { FanOut } from './fan-out.js';

export interface BroadcastRequestsDeps {
  fanOut: FanOut;
  projection: ProjectionWaiter;
  projectionWaitMs: number;
  logger: Logger;
  /** Aborted when the service stops: the broadcast in hand goes back to the stream after its current step. */
  signal: AbortSignal;
}

/**
 * Handles a `BroadcastRequested` from `EVENTS`: once the read models have reached it, fans the
 * broadcast out to the end. The message is acknowledged only when the broadcast is sent; a stop or a
 * crash leaves it to be delivered again, and the fan-out resumes from the broadcast's stream.
 */
export function broadcastRequests(deps: BroadcastRequestsDeps): (msg: JsMsg) => Promise<ConsumeOutcome> {
  return async (msg) => {
    const event = parseRelayedEvent(msg.string(), eventUpcasters);
    if (!event) return outcome.dead('not a relayed event');
    if (event.type !== 'BroadcastRequested') return outcome.ack;
    let requested: BroadcastRequestedData;
    try {
      requested = toDomainEvent(event.type, event.data).data as BroadcastRequestedData;
    } catch (error) {
      return outcome.dead(error instanceof Error ? error.message : String(error));
    }
    if (deps.signal.aborted) return outcome.retry(0, 'stopping');
    const caughtUp = await deps.projection.waitFor(event.position, deps.projectionWaitMs, deps.signal);
    if (!caughtUp) return outcome.retry(1_000, 'the read models have not reached the broadcast yet');
    const log = { broadcastId: requested.broadcastId, clientId: requested.clientId };
    const result = await keepWorking(msg, () => deps.fanOut.run(requested.broadcastId, deps.signal));
    if (result === 'stopped') return outcome.retry(0, 'stopping');
    if (result === 'missing') deps.logger.error(log, 'requested broadcast has no stream');
    else deps.logger.debug(log, 'broadcast sent');
    return outcome.ack;
  };
}
