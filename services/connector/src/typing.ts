import type { Subscription } from '@nats-io/nats-core';
import type { Bus } from '@switchboard/bus';
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
 * Forwards typing signals (`sig.<tenant>.conversation.<id>.typing`, core NATS, never stored) to the
 * conversation's endpoints on this channel. One replica takes each signal (a queue group); a signal
 * lost or failed only costs an indicator, so nothing is retried.
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
      if (!tenant || !conversationId) continue;
      void forward(deps, tenant, conversationId).catch((err: unknown) =>
        logger.debug({ err, conversationId }, 'typing indicator not forwarded'),
      );
    }
  })();
  return subscription;
}

async function forward(deps: TypingDeps, clientId: string, conversationId: string): Promise<void> {
  const { sql, channel } = deps;
  const endpoints = await listConversationChannelEndpoints(sql, clientId, conversationId, channel);
  if (endpoints.length === 0) return;
  const settings = await findChannelConfig(sql, clientId, channel);
  if (!settings?.enabled) return;
  const config = deps.secrets.decryptJson<Record<string, unknown>>(settings.configSealed);
  for (const endpoint of endpoints) {
    const address = { identity: endpoint.identity, sender: endpoint.sender, thread: endpoint.thread };
    const result = await deps.sender.typing(address, config);
    if (result !== 'sent') deps.logger.debug({ conversationId, result }, 'typing indicator not shown');
  }
}
