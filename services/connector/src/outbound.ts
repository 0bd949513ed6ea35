import type { JsMsg } from '@nats-io/jetstream';
import { type ConsumeOutcome, keepWorking, outcome } from '@switchboard/bus';
import {
  type ChannelAddress,
  type DeliveryCommand,
  deliveryIdOf,
  type Endpoint,
  eventUpcasters,
  type MessagePostedData,
  toDomainEvent,
} from '@switchboard/contracts';
import type { SecretBox } from '@switchboard/crypto';
import { parseRelayedEvent, type RelayedEvent } from '@switchboard/event-store';
import type { ProjectionWaiter } from '@switchboard/read-models';
import {
  type EndpointRow,
  findChannelConfig,
  listConversationChannelEndpoints,
} from '@switchboard/read-models';
import { LabelledCounter, type Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { ChannelSender } from './channel-sender.js';
import type { Cause, DeliveryCommands } from './delivery-commands.js';
import { KeyedQueue } from './keyed-queue.js';
import type { DeliveryOutcome } from './send-requests.js';

export interface OutboundDeps {
  channel: string;
  sql: postgres.Sql;
  secrets: SecretBox;
  commands: DeliveryCommands;
  sender: ChannelSender;
  projection: ProjectionWaiter;
  projectionWaitMs: number;
  logger: Logger;
  /** Aborted when the connector stops: waits end and the message goes back for another replica. */
  signal: AbortSignal;
}

/** The longest reason kept in a delivery event. */
const MAX_REASON = 2_000;

const sends = new LabelledCounter(
  'switchboard_connector_sends',
  'Deliveries sent to a provider, by channel and outcome (sent, failed, unknown)',
  ['channel', 'outcome'],
);

/**
 * The outbound work of one channel: each bot message posted in a conversation linked to this channel
 * is delivered to each of the conversation's endpoints on it, one message after the other per
 * conversation (the keyed queue), conversations in parallel. Every delivery is a `delivery-…` stream:
 * requested first (idempotent, and answering whether it still has to be sent, so a message seen again
 * after a crash or a redelivery is not sent twice once recorded), then sent, failed or unknown.
 */
export class Outbound {
  readonly #queue = new KeyedQueue();

  constructor(private readonly deps: OutboundDeps) {}

  /** Conversations with messages queued or being delivered in this process. */
  get busyConversations(): number {
    return this.#queue.activeKeys;
  }

  async handle(msg: JsMsg): Promise<ConsumeOutcome> {
    const event = parseRelayedEvent(msg.string(), eventUpcasters);
    if (!event) return outcome.dead('not a relayed event');
    if (event.type !== 'MessagePosted') return outcome.ack;
    let posted: MessagePostedData;
    try {
      posted = toDomainEvent(event.type, event.data).data as MessagePostedData;
    } catch (error) {
      return outcome.dead(error instanceof Error ? error.message : String(error));
    }
    // Only the bot speaks through the connectors; a person's message came from a channel (or the API).
    if (posted.authorId !== null) return outcome.ack;
    return keepWorking(msg, () => this.#queue.run(posted.conversationId, () => this.#deliver(event, posted)));
  }

  async #deliver(event: RelayedEvent, posted: MessagePostedData): Promise<ConsumeOutcome> {
    const { sql, channel, logger } = this.deps;
    if (this.deps.signal.aborted) return outcome.retry(0, 'stopping');
    const caughtUp = await this.deps.projection.waitFor(
      event.position,
      this.deps.projectionWaitMs,
      this.deps.signal,
    );
    if (!caughtUp) return outcome.retry(1_000, 'the read models have not reached the message yet');
    const { clientId, conversationId } = posted;
    const endpoints = await listConversationChannelEndpoints(sql, clientId, conversationId, channel);
    if (endpoints.length === 0) return outcome.ack;
    const settings = await findChannelConfig(sql, clientId, channel);
    if (!settings?.enabled) {
      logger.debug({ clientId, conversationId, channel }, 'channel not configured or disabled: not sent');
      return outcome.ack;
    }
    let config: Record<string, unknown> | Error;
    try {
      config = this.deps.secrets.decryptJson<Record<string, unknown>>(settings.configSealed);
    } catch (error) {
      config = error instanceof Error ? error : new Error(String(error));
    }
    const cause: Cause = {
      eventId: event.id,
      correlationId:
        typeof event.metadata.correlationId === 'string' ? event.metadata.correlationId : event.id,
    };
    for (const row of endpoints) await this.#deliverTo(posted, toEndpoint(row), config, cause);
    return outcome.ack;
  }

  async #deliverTo(
    posted: MessagePostedData,
    endpoint: Endpoint,
    config: Record<string, unknown> | Error,
    cause: Cause,
  ): Promise<void> {
    const { clientId, messageId, conversationId } = posted;
    const deliveryId = deliveryIdOf(messageId, endpoint);
    const log = { clientId, conversationId, messageId, deliveryId };
    const requested = await this.#command(
      { type: 'RequestDelivery', data: { deliveryId, clientId, messageId, conversationId, endpoint } },
      cause,
    );
    if (!requested) return;
    const status = typeof requested.status === 'string' ? requested.status : 'queued';
    if (status !== 'queued') {
      this.deps.logger.debug({ ...log, status }, 'already delivered or settled: not sent again');
      return;
    }
    const address: ChannelAddress = {
      identity: endpoint.identity,
      sender: endpoint.sender,
      thread: endpoint.thread,
    };
    const result: DeliveryOutcome =
      config instanceof Error
        ? {
            kind: 'failed',
            reason: `channel configuration cannot be opened: ${config.message}`,
            retryable: false,
          }
        : await this.deps.sender.deliver(clientId, posted.payload, address, config);
    sends.add(this.deps.channel, result.kind);
    if (result.kind !== 'sent') this.deps.logger.warn({ ...log, result }, 'delivery not sent');
    await this.#command(recordCommand(deliveryId, clientId, result), cause);
  }

  /** Sends a delivery command; an unavailable handler throws (the message is tried again later). */
  async #command(command: DeliveryCommand, cause: Cause): Promise<Record<string, unknown> | null> {
    const reply = await this.deps.commands.send(command, cause);
    if (reply.status === 'ok') return reply.result;
    if (reply.status === 'unavailable') throw new Error(`${command.type}: ${reply.message}`);
    // A rule broken: nothing a retry changes. Logged, and the message is not held up for it.
    this.deps.logger.error({ command: command.type, reply }, 'delivery command refused');
    return null;
  }
}

function recordCommand(deliveryId: string, clientId: string, result: DeliveryOutcome): DeliveryCommand {
  switch (result.kind) {
    case 'sent':
      return {
        type: 'RecordDeliverySent',
        // Within the contract's bounds: ids are short, and a delivery is a handful of requests.
        data: {
          deliveryId,
          clientId,
          providerMessageIds: result.providerMessageIds.slice(0, 100).map((id) => id.slice(0, 1024)),
        },
      };
    case 'failed':
      return {
        type: 'RecordDeliveryStatus',
        data: {
          deliveryId,
          clientId,
          status: 'failed',
          reason: truncate(result.reason),
          retryable: result.retryable,
        },
      };
    case 'unknown':
      return {
        type: 'RecordDeliveryStatus',
        data: { deliveryId, clientId, status: 'unknown', reason: truncate(result.reason) },
      };
    default: {
      const unknown: never = result;
      throw new Error(`unknown delivery outcome ${JSON.stringify(unknown)}`);
    }
  }
}

function truncate(reason: string): string {
  const text = reason.trim().length > 0 ? reason.trim() : 'no reason given';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

function toEndpoint(row: EndpointRow): Endpoint {
  return {
    channel: { name: row.channelName, version: row.channelVersion },
    identity: row.identity,
    sender: row.sender,
    thread: row.thread,
  };
}
