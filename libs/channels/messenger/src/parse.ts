import { isRecord, parseJson } from '@switchboard/channel-common';
import type { ChannelAddress, InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * A page webhook (`object: "page"`) carries entries, each with `messaging` events: messages (text, quick
 * reply, attachments), postbacks, and delivery/read receipts. Echoes of our own messages and events we
 * do not model (reactions, referrals, optins) are skipped.
 */
export function parseMessengerWebhook(request: InboundRequest): NormalizedInbound[] {
  const body = parseJson(request.rawBody);
  if (!isRecord(body) || body.object !== 'page' || !Array.isArray(body.entry)) return [];
  const results: NormalizedInbound[] = [];
  for (const entry of body.entry) {
    if (!isRecord(entry) || !Array.isArray(entry.messaging)) continue;
    for (const event of entry.messaging) {
      if (isRecord(event)) results.push(...parseEvent(event));
    }
  }
  return results;
}

function parseEvent(event: Record<string, unknown>): NormalizedInbound[] {
  const senderId = isRecord(event.sender) ? stringOrNumber(event.sender.id) : undefined;
  if (senderId === undefined) return [];
  const address: ChannelAddress = { identity: '*', sender: senderId, thread: '*' };
  const receivedAt =
    typeof event.timestamp === 'number' ? new Date(event.timestamp).toISOString() : undefined;
  if (isRecord(event.message)) return parseMessage(event.message, address, receivedAt);
  if (isRecord(event.postback)) return parsePostback(event.postback, address, receivedAt, event.timestamp);
  if (isRecord(event.delivery)) return parseDelivery(event.delivery, event.timestamp);
  if (isRecord(event.read)) return parseRead(event.read, event.timestamp);
  return [];
}

function parseMessage(
  message: Record<string, unknown>,
  address: ChannelAddress,
  receivedAt: string | undefined,
): NormalizedInbound[] {
  const mid = typeof message.mid === 'string' ? message.mid : undefined;
  if (mid === undefined || message.is_echo === true) return [];
  const payloads: Payload[] = [];
  if (typeof message.text === 'string') {
    const quickReply = isRecord(message.quick_reply) ? message.quick_reply.payload : undefined;
    payloads.push(
      typeof quickReply === 'string'
        ? { type: 'text', text: message.text, value: quickReply }
        : { type: 'text', text: message.text },
    );
  }
  if (Array.isArray(message.attachments)) {
    for (const attachment of message.attachments) {
      const payload = isRecord(attachment) ? attachmentPayload(attachment) : undefined;
      if (payload) payloads.push(payload);
    }
  }
  // One provider message may carry several attachments: each becomes its own message, the first
  // keeping the bare mid so a redelivery dedupes on the same ids.
  return payloads.map((payload, index) => ({
    kind: 'message',
    providerEventId: index === 0 ? mid : `${mid}#${index}`,
    providerMessageId: mid,
    address,
    payload,
    ...(receivedAt === undefined ? {} : { receivedAt }),
  }));
}

function attachmentPayload(attachment: Record<string, unknown>): Payload | undefined {
  const payload = isRecord(attachment.payload) ? attachment.payload : {};
  const url = typeof payload.url === 'string' ? payload.url : undefined;
  const title = typeof attachment.title === 'string' ? attachment.title : undefined;
  switch (attachment.type) {
    case 'image':
      return url === undefined ? undefined : { type: 'image', image: url };
    case 'audio':
      return url === undefined ? undefined : { type: 'audio', audio: url };
    case 'video':
      return url === undefined ? undefined : { type: 'video', video: url };
    case 'file':
      return url === undefined ? undefined : { type: 'file', file: url, ...(title ? { title } : {}) };
    case 'location': {
      const coordinates = isRecord(payload.coordinates) ? payload.coordinates : undefined;
      if (typeof coordinates?.lat !== 'number' || typeof coordinates.long !== 'number') return undefined;
      return {
        type: 'location',
        latitude: coordinates.lat,
        longitude: coordinates.long,
        ...(title ? { title } : {}),
      };
    }
    case 'fallback': {
      // A shared link Messenger could not show natively.
      const text = [title, url].filter(Boolean).join('\n');
      return text.length > 0 ? { type: 'text', text } : undefined;
    }
    default:
      return undefined;
  }
}

function parsePostback(
  postback: Record<string, unknown>,
  address: ChannelAddress,
  receivedAt: string | undefined,
  timestamp: unknown,
): NormalizedInbound[] {
  if (typeof postback.payload !== 'string') return [];
  const mid = typeof postback.mid === 'string' ? postback.mid : undefined;
  const title =
    typeof postback.title === 'string' && postback.title.length > 0 ? postback.title : postback.payload;
  return [
    {
      kind: 'message',
      // Older postbacks have no mid: the sender and the millisecond timestamp identify the tap.
      providerEventId: mid ?? `postback:${address.sender}:${String(timestamp)}`,
      ...(mid === undefined ? {} : { providerMessageId: mid }),
      address,
      payload: { type: 'text', text: title, value: postback.payload },
      ...(receivedAt === undefined ? {} : { receivedAt }),
    },
  ];
}

function parseDelivery(delivery: Record<string, unknown>, timestamp: unknown): NormalizedInbound[] {
  if (!Array.isArray(delivery.mids)) return [];
  const at = typeof timestamp === 'number' ? new Date(timestamp).toISOString() : undefined;
  return delivery.mids
    .filter((mid): mid is string => typeof mid === 'string')
    .map((mid) => ({
      kind: 'status',
      providerEventId: `delivery:${mid}`,
      providerMessageId: mid,
      status: 'delivered',
      ...(at === undefined ? {} : { at }),
    }));
}

/**
 * A read receipt names a watermark ("everything before this time is read"), and only recent ones also
 * name the message (`read.mid`). Without a mid there is no message to mark, so the receipt is skipped.
 */
function parseRead(read: Record<string, unknown>, timestamp: unknown): NormalizedInbound[] {
  if (typeof read.mid !== 'string') return [];
  const at = typeof timestamp === 'number' ? new Date(timestamp).toISOString() : undefined;
  return [
    {
      kind: 'status',
      providerEventId: `read:${read.mid}`,
      providerMessageId: read.mid,
      status: 'read',
      ...(at === undefined ? {} : { at }),
    },
  ];
}

function stringOrNumber(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
