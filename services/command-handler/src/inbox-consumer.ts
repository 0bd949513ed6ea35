import type { JsMsg } from '@nats-io/jetstream';
import {
  type Bus,
  type CommandEnvelope,
  type ConsumeOutcome,
  type ConsumerHandle,
  decodeJson,
  inboxStream,
  outcome,
} from '@switchboard/bus';
import { type Choice, cardChoices, choiceForReply, dropdownChoices } from '@switchboard/channel-common';
import {
  type CardPayload,
  type DropdownPayload,
  type Endpoint,
  endpointIds,
  type InboxMessage,
  inboundMessageId,
  type NormalizedInbound,
  type Payload,
  type SingleChoicePayload,
} from '@switchboard/contracts';
import { findDeliveryByProviderMessageId, latestBotMessage } from '@switchboard/read-models';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { CommandOutcome } from './command-processor.js';
import { KeyedQueue } from './keyed-queue.js';

/** The durable consumer every command-handler replica shares on `INBOX`. */
export const INBOX_DURABLE = 'command-handler-inbox';

/** Endpoints made from channel traffic carry this version, as `POST /api/v1/endpoints/map` defaults to. */
const ENDPOINT_VERSION = '1.0.0';

/** Deliveries of a status callback that finds no delivery yet (the sent may not be projected yet). */
const STATUS_LOOKUPS = 5;

export interface InboxConsumerDeps {
  bus: Bus;
  /** The read models: the choices a reply answers, the delivery a status callback is about. */
  sql: postgres.Sql;
  /** Decides a command in this process, through the same path as the NATS responder. */
  handle(envelope: CommandEnvelope): Promise<CommandOutcome>;
  logger: Logger;
  concurrency: number;
}

type Step = { kind: 'done' } | { kind: 'stop'; outcome: ConsumeOutcome };

/**
 * Turns the normalized inbound channel traffic the gateway stored in `INBOX` into commands, decided
 * in this process. A message: the endpoint's user and conversation (the ids `endpoints/map` uses, so
 * both find the same ones; "already exists" is fine), then the message, with a message id derived
 * from the provider's event id and a command id derived from that, so a redelivered item appends
 * nothing new. A status callback: the delivery whose provider message id it names, updated.
 * One conversation's messages are handled one after the other, in the order they arrived.
 */
export async function startInboxConsumer(deps: InboxConsumerDeps): Promise<ConsumerHandle> {
  await deps.bus.ensureStream(inboxStream(deps.bus.names));
  const queue = new KeyedQueue();
  return deps.bus.consume({
    stream: deps.bus.names.streams.inbox,
    durable: INBOX_DURABLE,
    maxDeliver: 10,
    ackWaitMs: 30_000,
    retry: { initialMs: 500, maxMs: 10_000 },
    concurrency: deps.concurrency,
    handler: (msg) => handleInboxMessage(deps, queue, msg),
    onError: (err) => deps.logger.error({ err }, 'inbound channel traffic failed'),
  });
}

async function handleInboxMessage(deps: InboxConsumerDeps, queue: KeyedQueue, msg: JsMsg) {
  let message: unknown;
  try {
    message = decodeJson(msg.data);
  } catch {
    return outcome.dead('not JSON');
  }
  if (!isInboxMessage(message)) return outcome.dead('not an inbox message');
  const { inbound } = message;
  switch (inbound.kind) {
    case 'message': {
      const parts = { channel: message.channel, version: ENDPOINT_VERSION, ...inbound.address };
      const { conversationId } = endpointIds(message.clientId, parts);
      return queue.run(conversationId, () => postInbound(deps, message, inbound));
    }
    case 'status':
      return recordStatus(deps, message, inbound, msg.info.deliveryCount);
    default: {
      const unknown: never = inbound;
      return outcome.dead(`unknown inbound kind ${(unknown as { kind: string }).kind}`);
    }
  }
}

async function postInbound(
  deps: InboxConsumerDeps,
  message: InboxMessage,
  inbound: Extract<NormalizedInbound, { kind: 'message' }>,
): Promise<ConsumeOutcome> {
  const { clientId, channel } = message;
  const endpoint: Endpoint = {
    channel: { name: channel, version: ENDPOINT_VERSION },
    identity: inbound.address.identity,
    sender: inbound.address.sender,
    thread: inbound.address.thread,
  };
  const { userId, conversationId } = endpointIds(clientId, {
    channel,
    version: ENDPOINT_VERSION,
    ...inbound.address,
  });
  const messageId = inboundMessageId(clientId, channel, inbound.providerEventId);
  const command = (type: string, payload: unknown, commandId: string): CommandEnvelope => ({
    commandId,
    type,
    tenant: clientId,
    payload,
    metadata: { correlationId: `inbound:${messageId}`, actor: `channel:${channel}` },
  });

  const steps: [CommandEnvelope, 'conflict is fine' | 'must apply'][] = [
    [command('CreateUser', { clientId, userId }, `inbound:${messageId}:CreateUser`), 'conflict is fine'],
    [
      command(
        'StartConversation',
        { clientId, conversationId, userId, kind: 'direct', endpoint },
        `inbound:${messageId}:StartConversation`,
      ),
      'conflict is fine',
    ],
  ];
  for (const [envelope, conflict] of steps) {
    const step = settle(deps, envelope, await deps.handle(envelope), conflict);
    if (step.kind === 'stop') return step.outcome;
  }
  const payload = await answeredChoice(deps, clientId, conversationId, inbound.payload);
  const post = command(
    'PostMessage',
    { messageId, conversationId, clientId, authorId: userId, payload, source: 'channel', endpoint },
    `inbound:${messageId}`,
  );
  const step = settle(deps, post, await deps.handle(post), 'must apply');
  return step.kind === 'stop' ? step.outcome : outcome.ack;
}

/** What a command's reply means for the inbox item: go on, try again later, or give up on it. */
function settle(
  deps: InboxConsumerDeps,
  envelope: CommandEnvelope,
  reply: CommandOutcome,
  conflict: 'conflict is fine' | 'must apply',
): Step {
  switch (reply.status) {
    case 'ok':
      return { kind: 'done' };
    case 'conflict':
      if (conflict === 'conflict is fine') return { kind: 'done' };
      // An archived conversation takes no new messages: nothing a retry would change.
      deps.logger.warn({ command: envelope.type, reply }, 'inbound message not posted');
      return { kind: 'stop', outcome: outcome.ack };
    case 'unavailable':
      return { kind: 'stop', outcome: outcome.retry(undefined, reply.message) };
    case 'rejected':
    case 'not_found':
      return { kind: 'stop', outcome: outcome.dead(`${envelope.type}: ${reply.status}: ${reply.message}`) };
    default: {
      const unknown: never = reply;
      return { kind: 'stop', outcome: outcome.dead(`unknown reply ${JSON.stringify(unknown)}`) };
    }
  }
}

/**
 * A person answering the bot's choices by number ("2") or by title, on a channel that showed them as
 * numbered text (or where the person typed instead of tapping): the text becomes the choice, as a
 * button press would have made it (`text` = its title, `value` = its value). The choices are those of
 * the conversation's latest bot message in the read model (a single choice, a dropdown or a card);
 * a reply after any other bot message, or matching none of its choices, is kept as it came.
 */
async function answeredChoice(
  deps: InboxConsumerDeps,
  clientId: string,
  conversationId: string,
  payload: Payload,
): Promise<Payload> {
  if (payload.type !== 'text' || typeof payload.text !== 'string' || payload.value !== undefined) {
    return payload;
  }
  const latest = await latestBotMessage(deps.sql, clientId, conversationId);
  const choices = latest ? offeredChoices(latest.payload as Payload) : [];
  if (choices.length === 0) return payload;
  const choice = choiceForReply(payload.text, choices);
  return choice ? { ...payload, text: choice.title, value: choice.value } : payload;
}

function offeredChoices(payload: Payload): Choice[] {
  switch (payload.type) {
    case 'single-choice':
      return Array.isArray(payload.choices) ? (payload as unknown as SingleChoicePayload).choices : [];
    case 'dropdown':
      return Array.isArray(payload.options) ? dropdownChoices(payload as unknown as DropdownPayload) : [];
    case 'card':
      return Array.isArray(payload.actions) ? cardChoices(payload as unknown as CardPayload) : [];
    default:
      return [];
  }
}

async function recordStatus(
  deps: InboxConsumerDeps,
  message: InboxMessage,
  inbound: Extract<NormalizedInbound, { kind: 'status' }>,
  deliveryCount: number,
): Promise<ConsumeOutcome> {
  const { clientId, channel } = message;
  const delivery = await findDeliveryByProviderMessageId(
    deps.sql,
    clientId,
    channel,
    inbound.providerMessageId,
  );
  if (!delivery) {
    // The callback may beat the projection of our own "sent": look again a little later, a few times.
    if (deliveryCount < STATUS_LOOKUPS) return outcome.retry(1_000 * deliveryCount, 'delivery not found yet');
    deps.logger.warn(
      { clientId, channel, providerMessageId: inbound.providerMessageId },
      'status callback for a message we did not send: ignored',
    );
    return outcome.ack;
  }
  const envelope: CommandEnvelope = {
    commandId: `inbound:${clientId}:${channel}:${inbound.providerEventId}`,
    type: 'RecordDeliveryStatus',
    tenant: clientId,
    payload: {
      deliveryId: delivery.id,
      clientId,
      status: inbound.status,
      ...(inbound.reason === undefined ? {} : { reason: inbound.reason.slice(0, 2_000) || 'failed' }),
      ...(inbound.status === 'failed' ? { retryable: false } : {}),
    },
    metadata: { correlationId: `delivery:${delivery.id}`, actor: `channel:${channel}` },
  };
  const step = settle(deps, envelope, await deps.handle(envelope), 'must apply');
  return step.kind === 'stop' ? step.outcome : outcome.ack;
}

function isInboxMessage(value: unknown): value is InboxMessage {
  const m = value as Partial<InboxMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.clientId === 'string' &&
    typeof m.channel === 'string' &&
    typeof m.inbound === 'object' &&
    m.inbound !== null &&
    typeof m.inbound.providerEventId === 'string'
  );
}
