/** Stream names are `<category>-<id>`; the id may itself contain dashes (UUIDs do). */
export const streams = {
  client: (clientId: string) => `client-${clientId}`,
  user: (userId: string) => `user-${userId}`,
  conversation: (conversationId: string) => `conversation-${conversationId}`,
  /** `deliveryId` is `deliveryIdOf(messageId, endpoint)` (delivery-terms.ts). */
  delivery: (deliveryId: string) => `delivery-${deliveryId}`,
  broadcast: (broadcastId: string) => `broadcast-${broadcastId}`,
  /** One recipient of a broadcast: never one shared stream for a broadcast's recipients. */
  recipient: (broadcastId: string, userId: string) => `recipient-${broadcastId}-${userId}`,
} as const;

export type StreamCategory = keyof typeof streams;

/** `conversation-3f…` → `conversation`. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  if (dash <= 0) throw new Error(`not a <category>-<id> stream name: "${stream}"`);
  return stream.slice(0, dash);
}

/** `conversation-3f…` → `3f…`. */
export function streamIdOf(stream: string): string {
  const dash = stream.indexOf('-');
  if (dash <= 0 || dash === stream.length - 1)
    throw new Error(`not a <category>-<id> stream name: "${stream}"`);
  return stream.slice(dash + 1);
}
