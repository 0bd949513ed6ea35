import { parseForm } from '@switchboard/channel-common';
import type { InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * Twilio posts form-encoded webhooks (https://www.twilio.com/docs/messaging/guides/webhook-request).
 * - Incoming message: `MessageSid` (dedupe key), From (their number), To (ours), Body, media as
 *   `MediaUrl<n>` / `MediaContentType<n>` (one inbound each, `<sid>:media:<n>`), a WhatsApp location as
 *   Latitude/Longitude/Address/Label, a WhatsApp quick-reply button as ButtonText/ButtonPayload.
 * - Status callback (it carries a `MessageStatus` other than `received`): delivered, read, and failed/undelivered (reason:
 *   ErrorCode and ErrorMessage); intermediate statuses (queued, sent, …) are ignored. Its dedupe key is
 *   `<sid>:<status>`.
 */
export function parseTwilio(request: InboundRequest): NormalizedInbound[] {
  const fields = parseForm(request.rawBody);
  const sid = fields.MessageSid ?? fields.SmsSid;
  if (sid === undefined) return [];
  // An incoming message may say `received`; only our own messages' updates are status callbacks.
  if (fields.MessageStatus !== undefined && fields.MessageStatus !== 'received')
    return fromStatus(sid, fields);
  const { From: from, To: to } = fields;
  if (from === undefined || to === undefined) return [];

  const common = { address: { identity: to, sender: from, thread: '*' }, providerMessageId: sid };
  const inbound: NormalizedInbound[] = [];
  const main = mainPayload(fields);
  if (main !== null) inbound.push({ kind: 'message', providerEventId: sid, payload: main, ...common });
  const mediaCount = Number(fields.NumMedia ?? '0');
  for (let index = 0; index < mediaCount && index < 10; index++) {
    const url = fields[`MediaUrl${index}`];
    if (url === undefined) continue;
    const payload = mediaPayload(url, fields[`MediaContentType${index}`] ?? '');
    inbound.push({ kind: 'message', providerEventId: `${sid}:media:${index}`, payload, ...common });
  }
  return inbound;
}

function fromStatus(sid: string, fields: Record<string, string>): NormalizedInbound[] {
  const status = fields.MessageStatus;
  const base = { kind: 'status' as const, providerEventId: `${sid}:${status}`, providerMessageId: sid };
  switch (status) {
    case 'delivered':
      return [{ ...base, status: 'delivered' }];
    case 'read':
      return [{ ...base, status: 'read' }];
    case 'failed':
    case 'undelivered': {
      const code = fields.ErrorCode;
      const detail = fields.ErrorMessage;
      const reason = [status, code && `Twilio error ${code}`, detail].filter(Boolean).join(': ');
      return [{ ...base, status: 'failed', reason }];
    }
    default:
      return [];
  }
}

function mainPayload(fields: Record<string, string>): Payload | null {
  if (fields.ButtonPayload !== undefined) {
    return { type: 'text', text: fields.ButtonText ?? fields.ButtonPayload, value: fields.ButtonPayload };
  }
  const latitude = Number(fields.Latitude);
  const longitude = Number(fields.Longitude);
  if (fields.Latitude !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude)) {
    return {
      type: 'location',
      latitude,
      longitude,
      ...(fields.Label ? { title: fields.Label } : {}),
      ...(fields.Address ? { address: fields.Address } : {}),
    };
  }
  const body = fields.Body ?? '';
  return body.length > 0 ? { type: 'text', text: body } : null;
}

function mediaPayload(url: string, contentType: string): Payload {
  if (contentType.startsWith('image/')) return { type: 'image', image: url };
  if (contentType.startsWith('audio/')) return { type: 'audio', audio: url };
  if (contentType.startsWith('video/')) return { type: 'video', video: url };
  return { type: 'file', file: url };
}
