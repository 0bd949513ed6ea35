import type { Subscription } from '@nats-io/nats-core';
import type { Bus } from '@switchboard/bus';
import { parseTypingSignal, type TypingState } from '@switchboard/contracts';
import type { SecretBox } from '@switchboard/crypto';
import { findChannelConfig, listConversationChannelEndpoints } from '@switchboard/read-models';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { ChannelSender } from './channel-sender.js';

export interface TypingDeps {
  bus: Bus;
  channel: string;
  sql: postgres.Sql;
  secrets: SecretBox;
  sender: ChannelSender;
  logger: Logger;
}

/**
 * Forwards the bot's typing signals (`sig.<tenant>.conversation.<id>.typing`, core NATS, never stored;
 * body `TypingSignal`) to the conversation's endpoints on this channel: on, or off where the provider
 * can end an indicator. A user's own typing (an `authorId`) is not echoed back to them. One replica
 * takes each signal (a queue group); a signal lost or failed only costs an indicator, so nothing is
 * retried.
 */
export function forwardTyping(deps: TypingDeps): Subscription {
  const { bus, channel, logger } = deps;
  const root = bus.names.signals();
  const prefix = root.slice(0, -1); // `<ns>.sig.`
  const subscription = bus.nc.subscribe(`${prefix}*.conversation.*.typing`, {
    queue: `connector-${channel}-typing`,
  });
  void (async () => {
    for await (const msg of subscription) {
      const [tenant, , conversationId] = msg.subject.slice(prefix.length).split('.');
      const signal = parseTypingSignal(msg.string());
      if (!tenant || !conversationId || signal?.conversationId !== conversationId) {
        logger.debug({ subject: msg.subject }, 'not a typing signal');
        continue;
      }
      if (signal.authorId !== null) continue;
      const state = signal.typing ? 'on' : 'off';
      void forward(deps, tenant, conversationId, state).catch((err: unknown) =>
        logger.debug({ err, conversationId }, 'typing indicator not forwarded'),
      );
    }
  })();
  return subscription;
}

async function forward(
  deps: TypingDeps,
  clientId: string,
  conversationId: string,
  state: TypingState,
): Promise<void> {
  const { sql, channel } = deps;
  const endpoints = await listConversationChannelEndpoints(sql, clientId, conversationId, channel);
  if (endpoints.length === 0) return;
  const settings = await findChannelConfig(sql, clientId, channel);
  if (!settings?.enabled) return;
  const config = deps.secrets.decryptJson<Record<string, unknown>>(settings.configSealed);
  for (const endpoint of endpoints) {
    const address = { identity: endpoint.identity, sender: endpoint.sender, thread: endpoint.thread };
    const result = await deps.sender.typing(address, config, state);
    if (result !== 'sent') deps.logger.debug({ conversationId, result }, 'typing indicator not shown');
  }
}
