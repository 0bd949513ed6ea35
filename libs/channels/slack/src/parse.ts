import { header, isRecord, parseForm, parseJson, stringField } from '@switchboard/channel-common';
import type { DirectResponse, InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * Slack posts two kinds of body to the request URLs:
 * - Events API, JSON: `url_verification` (the handshake) and `event_callback` envelopes. A `message`
 *   event from a person becomes text and/or one media payload per attached file (`url_private`, which
 *   needs the bot token to download); `event_id` is the dedupe key (suffixed per file). Ignored: message
 *   subtypes other than `file_share` (edits, joins, bot messages), messages carrying a `bot_id` (our own
 *   posts come back as events), and every other event type (`app_mention` duplicates `message`).
 * - Interactivity, form-encoded `payload=<json>`: a `block_actions` press on one of our buttons or a
 *   choice in our dropdown becomes text with the title and `value`; its `trigger_id` is the dedupe key.
 *   URL buttons (no value) and slash commands are ignored.
 * Slack reports no delivery or read status for bot messages.
 */
export function parseSlack(request: InboundRequest): NormalizedInbound[] {
  const body = bodyOf(request);
  if (!isRecord(body)) return [];
  if (body.type === 'event_callback') return fromEventCallback(body);
  if (body.type === 'block_actions') return fromBlockActions(body);
  return [];
}

/** Answers Slack's `url_verification` with its challenge, as plain text. */
export function slackHandshake(request: InboundRequest): DirectResponse | null {
  if (request.method !== 'POST') return null;
  const body = bodyOf(request);
  if (!isRecord(body) || body.type !== 'url_verification') return null;
  const challenge = stringField(body, 'challenge');
  if (challenge === undefined) return null;
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: challenge };
}

function bodyOf(request: InboundRequest): unknown {
  const contentType = header(request, 'content-type') ?? '';
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const { payload } = parseForm(request.rawBody);
    return payload === undefined ? undefined : parseJson(payload);
  }
  return parseJson(request.rawBody);
}

function fromEventCallback(envelope: Record<string, unknown>): NormalizedInbound[] {
  const eventId = stringField(envelope, 'event_id');
  const event = envelope.event;
  if (eventId === undefined || !isRecord(event) || event.type !== 'message') return [];
  if (event.bot_id !== undefined || (event.subtype !== undefined && event.subtype !== 'file_share'))
    return [];
  const user = stringField(event, 'user');
  const channel = stringField(event, 'channel');
  const ts = stringField(event, 'ts');
  if (user === undefined || channel === undefined) return [];

  const address = { identity: '*', sender: user, thread: channel };
  const common = {
    address,
    ...(ts === undefined ? {} : { providerMessageId: slackMessageId(channel, ts), receivedAt: timeOf(ts) }),
  };
  const inbound: NormalizedInbound[] = [];
  const text = stringField(event, 'text');
  if (text !== undefined && text.length > 0) {
    inbound.push({ kind: 'message', providerEventId: eventId, payload: { type: 'text', text }, ...common });
  }
  const files = Array.isArray(event.files) ? event.files : [];
  files.forEach((file, index) => {
    const payload = filePayload(file);
    if (payload !== null) {
      inbound.push({ kind: 'message', providerEventId: `${eventId}:file:${index}`, payload, ...common });
    }
  });
  return inbound;
}

function fromBlockActions(body: Record<string, unknown>): NormalizedInbound[] {
  const triggerId = stringField(body, 'trigger_id');
  const user = isRecord(body.user) ? stringField(body.user, 'id') : undefined;
  const channel = isRecord(body.channel)
    ? stringField(body.channel, 'id')
    : isRecord(body.container)
      ? stringField(body.container, 'channel_id')
      : undefined;
  const action = Array.isArray(body.actions) ? body.actions[0] : undefined;
  if (triggerId === undefined || user === undefined || channel === undefined || !isRecord(action)) return [];
  const choice = chosen(action);
  if (choice === null) return [];
  return [
    {
      kind: 'message',
      providerEventId: triggerId,
      address: { identity: '*', sender: user, thread: channel },
      payload: { type: 'text', text: choice.title, value: choice.value },
    },
  ];
}

function chosen(action: Record<string, unknown>): { title: string; value: string } | null {
  if (action.type === 'button') {
    const value = stringField(action, 'value');
    if (value === undefined) return null;
    return { title: textOf(action.text) ?? value, value };
  }
  if (action.type === 'static_select' && isRecord(action.selected_option)) {
    const value = stringField(action.selected_option, 'value');
    if (value === undefined) return null;
    return { title: textOf(action.selected_option.text) ?? value, value };
  }
  return null;
}

function textOf(text: unknown): string | undefined {
  return stringField(text, 'text');
}

function filePayload(file: unknown): Payload | null {
  if (!isRecord(file)) return null;
  const url = stringField(file, 'url_private');
  if (url === undefined) return null;
  const mimetype = stringField(file, 'mimetype') ?? '';
  const name = stringField(file, 'title') ?? stringField(file, 'name');
  const titled = name === undefined ? {} : { title: name };
  if (mimetype.startsWith('image/')) return { type: 'image', image: url, ...titled };
  if (mimetype.startsWith('audio/')) return { type: 'audio', audio: url, ...titled };
  if (mimetype.startsWith('video/')) return { type: 'video', video: url, ...titled };
  return { type: 'file', file: url, ...titled };
}

/** Slack message `ts` values are unique per channel; ours are `<channel>:<ts>`. */
export function slackMessageId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

function timeOf(ts: string): string | undefined {
  const seconds = Number(ts);
  return Number.isFinite(seconds) ? new Date(Math.round(seconds * 1000)).toISOString() : undefined;
}
