import { isRecord, parseJson } from '@switchboard/channel-common';
import type { ChannelAddress, InboundRequest, NormalizedInbound, Payload } from '@switchboard/contracts';

/**
 * The field our buttons and dropdowns put the chosen value in: `messageBack` buttons carry it in their
 * `value`, the Adaptive Card dropdown is an input with this id, so a choice arrives the same way.
 */
export const teamsChoiceField = 'switchboardChoice';

/** Teams' read receipt event (personal chats), naming the last message the person read. */
const readReceiptEvent = 'application/vnd.microsoft.readReceipt';

/**
 * One activity per webhook. `message` activities become messages (text — bot @mentions stripped —,
 * a button or dropdown choice as text with `value`, attachments as media); the read receipt event
 * becomes a `read` status. Conversation updates, reactions and other events are skipped.
 * Endpoint convention: identity `*`, sender = the person's Teams id (`from.id`), thread = the
 * conversation id (a personal chat, group chat or channel thread).
 */
export function parseTeamsActivity(request: InboundRequest): NormalizedInbound[] {
  const activity = parseJson(request.rawBody);
  if (!isRecord(activity)) return [];
  const conversationId = isRecord(activity.conversation) ? activity.conversation.id : undefined;
  const activityId = activity.id;
  if (typeof conversationId !== 'string' || typeof activityId !== 'string') return [];

  if (activity.type === 'event' && activity.name === readReceiptEvent) {
    const lastRead = isRecord(activity.value) ? activity.value.lastReadMessageId : undefined;
    if (typeof lastRead !== 'string') return [];
    return [
      {
        kind: 'status',
        providerEventId: `${conversationId}|read|${lastRead}`,
        providerMessageId: lastRead,
        status: 'read',
        ...(typeof activity.timestamp === 'string' ? { at: activity.timestamp } : {}),
      },
    ];
  }
  if (activity.type !== 'message') return [];
  const senderId = isRecord(activity.from) ? activity.from.id : undefined;
  if (typeof senderId !== 'string') return [];

  const address: ChannelAddress = { identity: '*', sender: senderId, thread: conversationId };
  const payloads = messagePayloads(activity);
  // Activity ids are unique within a conversation, so the pair identifies the delivery.
  const eventId = `${conversationId}|${activityId}`;
  return payloads.map((payload, index) => ({
    kind: 'message',
    providerEventId: index === 0 ? eventId : `${eventId}#${index}`,
    providerMessageId: activityId,
    address,
    payload,
    ...(typeof activity.timestamp === 'string' ? { receivedAt: activity.timestamp } : {}),
  }));
}

function messagePayloads(activity: Record<string, unknown>): Payload[] {
  const text = typeof activity.text === 'string' ? stripMentions(activity.text) : '';
  const choice = isRecord(activity.value) ? activity.value[teamsChoiceField] : undefined;
  if (typeof choice === 'string' && choice.length > 0) {
    return [{ type: 'text', text: text.length > 0 ? text : choice, value: choice }];
  }
  const payloads: Payload[] = [];
  if (text.length > 0) payloads.push({ type: 'text', text });
  if (Array.isArray(activity.attachments)) {
    for (const attachment of activity.attachments) {
      const payload = isRecord(attachment) ? attachmentPayload(attachment) : undefined;
      if (payload) payloads.push(payload);
    }
  }
  return payloads;
}

function attachmentPayload(attachment: Record<string, unknown>): Payload | undefined {
  const contentType = typeof attachment.contentType === 'string' ? attachment.contentType : '';
  const name =
    typeof attachment.name === 'string' && attachment.name.length > 0 ? attachment.name : undefined;
  const withTitle = name === undefined ? {} : { title: name };
  if (contentType === 'application/vnd.microsoft.teams.file.download.info') {
    // A file shared in a personal chat: the download URL is in the content.
    const url = isRecord(attachment.content) ? attachment.content.downloadUrl : undefined;
    return typeof url === 'string' ? { type: 'file', file: url, ...withTitle } : undefined;
  }
  const url = typeof attachment.contentUrl === 'string' ? attachment.contentUrl : undefined;
  if (url === undefined) return undefined; // text/html copies of the text, cards, mentions
  if (contentType.startsWith('image/')) return { type: 'image', image: url, ...withTitle };
  if (contentType.startsWith('audio/')) return { type: 'audio', audio: url, ...withTitle };
  if (contentType.startsWith('video/')) return { type: 'video', video: url, ...withTitle };
  return { type: 'file', file: url, ...withTitle };
}

/** In channels and group chats the text starts with `<at>Bot name</at>`: the mention is not the message. */
function stripMentions(text: string): string {
  return text.replace(/<at>[^<]*<\/at>/g, '').trim();
}
