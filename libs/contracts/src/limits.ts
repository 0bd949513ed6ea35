/**
 * Bounds that keep every aggregate's state small, so deciding costs the same however old the stream.
 * Generous for real use; a request beyond them is rejected as invalid.
 */
export const limits = {
  channelsPerClient: 64,
  webhooksPerClient: 32,
  endpointsPerConversation: 64,
} as const;
