import { isRecord, parseJson, stringField } from '@switchboard/channel-common';
import type { InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * Vonage posts JSON to the application's inbound and status webhooks:
 * - Inbound message (`message_type`): text; image, audio, video, file (their `url`); location
 *   (`lat`, `long`, `name`, `address`); WhatsApp `reply` (interactive list/button: text = title,
 *   value = id) and `button` (template quick reply: text, value = payload). `message_uuid` is the
 *   dedupe key and the provider message id. Other types (vcard, sticker, unsupported) are ignored.
 * - Status (`status`): delivered, read, and rejected/undeliverable as failed with Vonage's error
 *   title and detail; `submitted` is ignored. Dedupe key `<message_uuid>:<status>`.
 */
export function parseVonage(request: InboundRequest): NormalizedInbound[] {
  const body = parseJson(request.rawBody);
  if (!isRecord(body)) return [];
  const uuid = stringField(body, 'message_uuid');
  if (uuid === undefined) return [];
  const status = stringField(body, 'status');
  if (status !== undefined) return fromStatus(uuid, status, body);

  const from = stringField(body, 'from');
  const to = stringField(body, 'to');
  const payload = payloadOf(body);
  if (from === undefined || to === undefined || payload === null) return [];
  const timestamp = stringField(body, 'timestamp');
  return [
    {
      kind: 'message',
      providerEventId: uuid,
      address: { identity: to, sender: from, thread: '*' },
      payload,
      providerMessageId: uuid,
      ...(timestamp === undefined ? {} : { receivedAt: timestamp }),
    },
  ];
}

function fromStatus(uuid: string, status: string, body: Record<string, unknown>): NormalizedInbound[] {
  const base = { kind: 'status' as const, providerEventId: `${uuid}:${status}`, providerMessageId: uuid };
  const timestamp = stringField(body, 'timestamp');
  const at = timestamp === undefined ? {} : { at: timestamp };
  switch (status) {
    case 'delivered':
      return [{ ...base, status: 'delivered', ...at }];
    case 'read':
      return [{ ...base, status: 'read', ...at }];
    case 'rejected':
    case 'undeliverable': {
      const error = isRecord(body.error) ? body.error : {};
      const details = [stringField(error, 'title'), stringField(error, 'detail')].filter(Boolean);
      const reason = details.length > 0 ? `${status}: ${details.join(': ')}` : status;
      return [{ ...base, status: 'failed', reason, ...at }];
    }
    default:
      return [];
  }
}

function payloadOf(body: Record<string, unknown>): Payload | null {
  const type = stringField(body, 'message_type');
  const part = type === undefined ? undefined : body[type];
  switch (type) {
    case 'text': {
      const text = stringField(body, 'text');
      return text === undefined ? null : { type: 'text', text };
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'file': {
      const url = stringField(part, 'url');
      if (url === undefined) return null;
      const title = stringField(part, 'caption') ?? stringField(part, 'name');
      return title === undefined ? { type, [type]: url } : { type, [type]: url, title };
    }
    case 'location': {
      if (!isRecord(part) || typeof part.lat !== 'number' || typeof part.long !== 'number') return null;
      const title = stringField(part, 'name');
      const address = stringField(part, 'address');
      return {
        type: 'location',
        latitude: part.lat,
        longitude: part.long,
        ...(title === undefined ? {} : { title }),
        ...(address === undefined ? {} : { address }),
      };
    }
    case 'reply': {
      const id = stringField(part, 'id');
      return id === undefined ? null : { type: 'text', text: stringField(part, 'title') ?? id, value: id };
    }
    case 'button': {
      const payload = stringField(part, 'payload');
      return payload === undefined
        ? null
        : { type: 'text', text: stringField(part, 'text') ?? payload, value: payload };
    }
    default:
      return null;
  }
}
