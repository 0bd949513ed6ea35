import {
  type Choice,
  cardAsText,
  dropdownChoices,
  mapLink,
  payloadAsTexts,
  renderNumberedChoices,
  splitText,
} from '@switchboard/channel-common';
import type {
  CardAction,
  CardPayload,
  CarouselPayload,
  ChannelAddress,
  DropdownPayload,
  LocationPayload,
  Payload,
  ProviderRequest,
  SingleChoicePayload,
} from '@switchboard/contracts';
import type { SlackConfig } from './config.js';

// Block Kit limits (https://api.slack.com/reference/block-kit): characters and element counts.
const limits = {
  messageText: 4000,
  sectionText: 3000,
  altText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  actionElements: 25,
  cardsPerMessage: 10,
};

type Block = Record<string, unknown>;

/**
 * Our payloads as `chat.postMessage` calls to `address.thread` (the channel id), Block Kit for rich ones:
 * text → `text` (split at 4000 characters; `markdown: true` lets Slack read it as mrkdwn, otherwise
 * markup is off); image → an image block; audio, voice, video and file → a link (Slack cannot post a
 * file by URL without uploading it); location → a map link; card → image block, a section with the
 * bold title and subtitle, and an actions block of buttons (Open URL → link button; Postback and Say
 * something → button whose `value` comes back in `block_actions`); carousel → cards separated by
 * dividers, ten per message; single-choice → buttons; dropdown → a static select (buttons beyond 100
 * options or 150-character values). What no block can carry (a value over 2000 characters) goes as
 * numbered text. Unknown types: their `text`, or nothing. `&`, `<` and `>` are escaped as Slack requires.
 */
export function renderSlack(
  payload: Payload,
  address: ChannelAddress,
  config: SlackConfig,
): ProviderRequest[] {
  const post = (body: Record<string, unknown>) => postMessage(config, { channel: address.thread, ...body });
  const texts = (text: string, markdown: boolean) =>
    text.length === 0
      ? []
      : splitText(escapeText(text), limits.messageText).map((part) =>
          post(markdown ? { text: part } : { text: part, mrkdwn: false }),
        );

  switch (payload.type) {
    case 'text':
      return texts(String(payload.text ?? ''), payload.markdown === true);
    case 'image': {
      const title = typeof payload.title === 'string' && payload.title.length > 0 ? payload.title : undefined;
      const image: Block = {
        type: 'image',
        image_url: payload.image,
        alt_text: truncate(title ?? 'image', limits.altText),
        ...(title === undefined ? {} : { title: plainText(title, limits.altText) }),
      };
      return [post({ text: escapeText(title ?? String(payload.image)), blocks: [image] })];
    }
    case 'audio':
    case 'video':
    case 'file':
      return [post({ text: link(String(payload[payload.type]), payload.title) })];
    case 'voice':
      return [post({ text: link(String(payload.audio), undefined) })];
    case 'location':
      return [post({ text: locationText(payload as unknown as LocationPayload) })];
    case 'card':
      return cardMessages(post, [payload as unknown as CardPayload]);
    case 'carousel':
      return cardMessages(
        post,
        (payload as unknown as CarouselPayload).items.map((item) => ({ ...item, type: 'card' as const })),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return [post(choiceMessage(choice.text, choice.choices, 'buttons'))];
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return [post(choiceMessage(dropdown.message, dropdownChoices(dropdown), 'select'))];
    }
    default:
      return payloadAsTexts(payload).flatMap((text) => texts(text, false));
  }
}

export function postMessage(config: SlackConfig, body: Record<string, unknown>): ProviderRequest {
  return {
    method: 'POST',
    path: '/api/chat.postMessage',
    headers: {
      authorization: `Bearer ${config.botToken}`,
      'content-type': 'application/json; charset=utf-8',
    },
    body: { kind: 'json', value: body },
  };
}

type Post = (body: Record<string, unknown>) => ProviderRequest;

function cardMessages(post: Post, cards: CardPayload[]): ProviderRequest[] {
  const requests: ProviderRequest[] = [];
  for (let start = 0; start < cards.length; start += limits.cardsPerMessage) {
    const chunk = cards.slice(start, start + limits.cardsPerMessage);
    const blocks = chunk.flatMap((card, index) => [
      ...(index > 0 ? [{ type: 'divider' }] : []),
      ...cardBlocks(card, start + index),
    ]);
    const text = escapeText(chunk.map((card) => card.title).join(' | ') || 'card');
    requests.push(post({ text, blocks }));
  }
  return requests;
}

function cardBlocks(card: CardPayload, cardIndex: number): Block[] {
  if (!card.actions.every(fitsButton)) return [section(cardAsText(card), false)];
  const blocks: Block[] = [];
  if (card.image !== undefined) {
    blocks.push({
      type: 'image',
      image_url: card.image,
      alt_text: truncate(card.title || 'image', limits.altText),
    });
  }
  const heading = [
    card.title ? `*${escapeText(card.title)}*` : '',
    card.subtitle ? escapeText(card.subtitle) : '',
  ]
    .filter((line) => line.length > 0)
    .join('\n');
  if (heading.length > 0) blocks.push(section(heading, true));
  const buttons = card.actions.map((action, index) => button(action, `card${cardIndex}-${index}`));
  blocks.push(...actionBlocks(buttons));
  return blocks;
}

function button(action: CardAction, actionId: string): Block {
  const text = plainText(action.title || ' ', limits.buttonText);
  switch (action.action) {
    case 'Open URL':
      return { type: 'button', action_id: actionId, text, url: action.url };
    case 'Postback':
      return { type: 'button', action_id: actionId, text, value: action.payload };
    case 'Say something':
      return { type: 'button', action_id: actionId, text, value: action.text };
    default: {
      const unknownAction: never = action;
      throw new Error(`unknown card action ${JSON.stringify(unknownAction)}`);
    }
  }
}

function fitsButton(action: CardAction): boolean {
  const value =
    action.action === 'Postback' ? action.payload : action.action === 'Say something' ? action.text : '';
  return value.length <= limits.buttonValue;
}

function choiceMessage(
  prompt: string,
  choices: readonly Choice[],
  shape: 'buttons' | 'select',
): Record<string, unknown> {
  const text = escapeText(prompt || renderNumberedChoices('', choices));
  const fitsValue = (max: number) =>
    choices.every((choice) => choice.value.length > 0 && choice.value.length <= max);
  const heading = prompt.length > 0 ? [section(escapeText(prompt), true)] : [];
  if (choices.length === 0 || !fitsValue(limits.buttonValue)) {
    return { text: escapeText(renderNumberedChoices(prompt, choices)), mrkdwn: false };
  }
  if (shape === 'select' && choices.length <= limits.selectOptions && fitsValue(limits.optionValue)) {
    const select = {
      type: 'static_select',
      action_id: 'dropdown',
      options: choices.map((choice) => ({
        text: plainText(choice.title, limits.optionText),
        value: choice.value,
      })),
    };
    return { text, blocks: [...heading, { type: 'actions', elements: [select] }] };
  }
  const buttons = choices.map((choice, index) => ({
    type: 'button',
    action_id: `choice-${index}`,
    text: plainText(choice.title || ' ', limits.buttonText),
    value: choice.value,
  }));
  return { text, blocks: [...heading, ...actionBlocks(buttons)] };
}

function actionBlocks(elements: Block[]): Block[] {
  const blocks: Block[] = [];
  for (let start = 0; start < elements.length; start += limits.actionElements) {
    blocks.push({ type: 'actions', elements: elements.slice(start, start + limits.actionElements) });
  }
  return blocks;
}

function section(text: string, alreadyEscaped: boolean): Block {
  const body = alreadyEscaped ? text : escapeText(text);
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(body, limits.sectionText) } };
}

function plainText(text: string, max: number): Block {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

function link(url: string, title: unknown): string {
  return typeof title === 'string' && title.length > 0 ? `<${url}|${escapeText(title)}>` : `<${url}>`;
}

function locationText(location: LocationPayload): string {
  const label = location.title || location.address || `${location.latitude}, ${location.longitude}`;
  const lines = [link(mapLink(location.latitude, location.longitude), label)];
  if (location.title && location.address) lines.push(escapeText(location.address));
  return lines.join('\n');
}

/** Slack reads `&`, `<` and `>` as control characters in message text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
