import { v5 as uuidv5 } from 'uuid';

// Ids of what an endpoint creates on first contact are derived from the endpoint itself, so two
// concurrent first messages from one person agree on one user and one conversation, and the gateway's
// endpoint mapping and the inbound channel traffic find the same ones (docs/architecture.md).
const ENDPOINT_NAMESPACE = '4f1d7e52-8c0a-4b8e-9a55-3c2f7d9b6a10';

export interface EndpointParts {
  channel: string;
  version: string;
  identity: string;
  sender: string;
  thread: string;
}

/** The user (client, channel, identity, sender) and the conversation (… and thread) of an endpoint. */
export function endpointIds(clientId: string, e: EndpointParts): { userId: string; conversationId: string } {
  const senderKey = JSON.stringify([clientId, e.channel, e.version, e.identity, e.sender]);
  const threadKey = JSON.stringify([clientId, e.channel, e.version, e.identity, e.sender, e.thread]);
  return {
    userId: uuidv5(`user:${senderKey}`, ENDPOINT_NAMESPACE),
    conversationId: uuidv5(`conversation:${threadKey}`, ENDPOINT_NAMESPACE),
  };
}

/**
 * The id of the message a provider's inbound event becomes: the same event delivered twice (a provider
 * retry past the INBOX dedupe window, a consumer crash before its ack) posts the same message id, and
 * the command id derived from it makes the second post a no-op.
 */
export function inboundMessageId(clientId: string, channel: string, providerEventId: string): string {
  return uuidv5(`inbound:${JSON.stringify([clientId, channel, providerEventId])}`, ENDPOINT_NAMESPACE);
}
