import { isRecord, parseJson } from '@switchboard/channel-common';
import type { ChannelAddress, InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * A v2 webhook carries `events`, each with its own `id` (documented as the dedupe key). Messages from
 * users (`conversation:message`, author type `user`) become messages — text, a quick reply as text with
 * its `payload` as value, images, files (audio and video by their media type), locations —, postbacks
 * become text with value, delivery to the user and delivery failures become statuses. Business-authored
 * messages (ours, echoed), `conversation:message:delivery:channel` (handed to the channel, not yet to the
 * person), `conversation:read` (names no message) and the rest are skipped.
 * Endpoint convention: identity `*`, sender = the Sunshine Conversations user id, thread = the
 * conversation id.
 */
export function parseSmoochWebhook(request: InboundRequest): NormalizedInbound[] {
  const body = parseJson(request.rawBody);
  if (!isRecord(body) || !Array.isArray(body.events)) return [];
  return body.events.flatMap((event) => (isRecord(event) ? parseEvent(event) : []));
}

function parseEvent(event: Record<string, unknown>): NormalizedInbound[] {
  const eventId = typeof event.id === 'string' ? event.id : undefined;
  const payload = isRecord(event.payload) ? event.payload : undefined;
  if (eventId === undefined || payload === undefined) return [];
  const conversationId = isRecord(payload.conversation) ? payload.conversation.id : undefined;
  const at = typeof event.createdAt === 'string' ? event.createdAt : undefined;
  switch (event.type) {
    case 'conversation:message':
      return typeof conversationId === 'string' && isRecord(payload.message)
        ? parseMessage(eventId, conversationId, payload.message)
        : [];
    case 'conversation:postback': {
      const userId = isRecord(payload.user) ? payload.user.id : undefined;
      const value = isRecord(payload.postback) ? payload.postback.payload : undefined;
      if (typeof conversationId !== 'string' || typeof userId !== 'string' || typeof value !== 'string')
        return [];
      return [
        {
          kind: 'message',
          providerEventId: eventId,
          address: { identity: '*', sender: userId, thread: conversationId },
          payload: { type: 'text', text: value, value },
          ...(at === undefined ? {} : { receivedAt: at }),
        },
      ];
    }
    case 'conversation:message:delivery:user':
    case 'conversation:message:delivery:failure': {
      const messageId = isRecord(payload.message) ? payload.message.id : undefined;
      if (typeof messageId !== 'string') return [];
      const failed = event.type === 'conversation:message:delivery:failure';
      const reason = failed ? failureReason(payload.error) : undefined;
      return [
        {
          kind: 'status',
          providerEventId: eventId,
          providerMessageId: messageId,
          status: failed ? 'failed' : 'delivered',
          ...(reason === undefined ? {} : { reason }),
          ...(at === undefined ? {} : { at }),
        },
      ];
    }
    default:
      return [];
  }
}

function parseMessage(
  eventId: string,
  conversationId: string,
  message: Record<string, unknown>,
): NormalizedInbound[] {
  const author = isRecord(message.author) ? message.author : undefined;
  if (author?.type !== 'user' || typeof author.userId !== 'string' || typeof message.id !== 'string')
    return [];
  const payload = isRecord(message.content) ? contentPayload(message.content) : undefined;
  if (payload === undefined) return [];
  const address: ChannelAddress = { identity: '*', sender: author.userId, thread: conversationId };
  return [
    {
      kind: 'message',
      providerEventId: eventId,
      providerMessageId: message.id,
      address,
      payload,
      ...(typeof message.received === 'string' ? { receivedAt: message.received } : {}),
    },
  ];
}

function contentPayload(content: Record<string, unknown>): Payload | undefined {
  const text = typeof content.text === 'string' && content.text.length > 0 ? content.text : undefined;
  const mediaUrl = typeof content.mediaUrl === 'string' ? content.mediaUrl : undefined;
  const withTitle = text === undefined ? {} : { title: text };
  switch (content.type) {
    case 'text':
      if (text === undefined) return undefined;
      // A tapped quick reply arrives as the reply's text with its payload.
      return typeof content.payload === 'string'
        ? { type: 'text', text, value: content.payload }
        : { type: 'text', text };
    case 'image':
      return mediaUrl === undefined ? undefined : { type: 'image', image: mediaUrl, ...withTitle };
    case 'file': {
      if (mediaUrl === undefined) return undefined;
      const mediaType = typeof content.mediaType === 'string' ? content.mediaType : '';
      if (mediaType.startsWith('audio/')) return { type: 'audio', audio: mediaUrl, ...withTitle };
      if (mediaType.startsWith('video/')) return { type: 'video', video: mediaUrl, ...withTitle };
      if (mediaType.startsWith('image/')) return { type: 'image', image: mediaUrl, ...withTitle };
      return { type: 'file', file: mediaUrl, ...withTitle };
    }
    case 'location': {
      const coordinates = isRecord(content.coordinates) ? content.coordinates : undefined;
      if (typeof coordinates?.lat !== 'number' || typeof coordinates.long !== 'number') return undefined;
      const location = isRecord(content.location) ? content.location : {};
      return {
        type: 'location',
        latitude: coordinates.lat,
        longitude: coordinates.long,
        ...(typeof location.name === 'string' ? { title: location.name } : {}),
        ...(typeof location.address === 'string' ? { address: location.address } : {}),
      };
    }
    default:
      return undefined;
  }
}

function failureReason(error: unknown): string {
  if (!isRecord(error)) return 'delivery failed';
  const message = typeof error.message === 'string' ? error.message : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (message && code) return `${code}: ${message}`;
  return message ?? code ?? 'delivery failed';
}
