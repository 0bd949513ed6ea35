import { dropdownChoices, mapLink, payloadAsTexts } from '@switchboard/channel-common';
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
  TypingState,
} from '@switchboard/contracts';
import type { TeamsSendConfig } from './config.js';
import { teamsChoiceField } from './parse.js';

/** Teams shows at most six buttons on a hero card; longer choice lists become a dropdown. */
const maxHeroButtons = 6;
/** Teams shows at most ten cards in a carousel. */
const maxCarouselCards = 10;

type Activity = Record<string, unknown>;
type Attachment = { contentType: string; content?: unknown; contentUrl?: string; name?: string };
type Choice = { title: string; value: string };

/**
 * Our payloads as Bot Framework activities posted to `POST /v3/conversations/{id}/activities` of the
 * service URL, with the connector's bearer token. Images are attachments by URL; audio, voice, video and
 * files — which a bot cannot attach by URL in Teams — hero cards with an "Open" button; a location a hero
 * card with a map link; cards hero cards (carousels several, side by side); single choices hero cards of
 * `messageBack` buttons (a dropdown past six); dropdowns Adaptive Cards with a compact choice set. An
 * unknown type with a `text` is sent as text, one without is skipped.
 */
export function renderTeamsPayload(
  payload: Payload,
  address: ChannelAddress,
  config: TeamsSendConfig,
): ProviderRequest[] {
  return activitiesFor(payload).map((activity) => activityRequest(address, config, activity));
}

/** A typing activity; Teams hides the indicator by itself after a few seconds or at the next message. */
export function renderTeamsTyping(
  address: ChannelAddress,
  config: TeamsSendConfig,
  state: TypingState,
): ProviderRequest | null {
  return state === 'on' ? activityRequest(address, config, { type: 'typing' }) : null;
}

function activitiesFor(payload: Payload): Activity[] {
  switch (payload.type) {
    case 'text':
      return [textActivity(String(payload.text ?? ''), payload.markdown === true)];
    case 'image': {
      const url = String(payload.image ?? '');
      const title = optionalString(payload.title);
      return [
        message([{ contentType: imageContentType(url), contentUrl: url, ...(title ? { name: title } : {}) }]),
      ];
    }
    case 'audio':
    case 'video':
    case 'file':
      return [
        message([
          linkCard(optionalString(payload.title) ?? fileName(payload[payload.type]), payload[payload.type]),
        ]),
      ];
    case 'voice':
      return [message([linkCard('Voice message', payload.audio)])];
    case 'location':
      return [message([locationCard(payload as unknown as LocationPayload)])];
    case 'card':
      return [message([heroCard(payload as unknown as CardPayload)])];
    case 'carousel':
      return chunks((payload as unknown as CarouselPayload).items, maxCarouselCards).map((items) => ({
        ...message(items.map((item) => heroCard({ ...item, type: 'card' }))),
        attachmentLayout: 'carousel',
      }));
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return [message([choiceCard(choice.text, choice.choices)])];
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return [message([dropdownCard(dropdown.message, dropdownChoices(dropdown))])];
    }
    default:
      return payloadAsTexts(payload).map((text) => textActivity(text, false));
  }
}

function textActivity(text: string, markdown: boolean): Activity {
  return { type: 'message', text, textFormat: markdown ? 'markdown' : 'plain' };
}

function message(attachments: Attachment[]): Activity {
  return { type: 'message', attachments };
}

function heroCard(card: CardPayload): Attachment {
  return {
    contentType: 'application/vnd.microsoft.card.hero',
    content: {
      title: card.title,
      ...(card.subtitle ? { subtitle: card.subtitle } : {}),
      ...(card.image ? { images: [{ url: card.image }] } : {}),
      buttons: card.actions.map(cardButton),
    },
  };
}

/**
 * "Say something" is `imBack`: the text is posted as the person's own message. A postback is
 * `messageBack`: the person sees the button title, the bot receives the payload as text and as
 * `value.switchboardChoice`.
 */
function cardButton(action: CardAction): Record<string, unknown> {
  switch (action.action) {
    case 'Open URL':
      return { type: 'openUrl', title: action.title, value: action.url };
    case 'Say something':
      return { type: 'imBack', title: action.title, value: action.text };
    case 'Postback':
      return choiceButton({ title: action.title, value: action.payload });
    default: {
      const unexpected: never = action;
      throw new Error(`unknown card action ${JSON.stringify(unexpected)}`);
    }
  }
}

function choiceButton(choice: Choice): Record<string, unknown> {
  return {
    type: 'messageBack',
    title: choice.title,
    displayText: choice.title,
    text: choice.value,
    value: { [teamsChoiceField]: choice.value },
  };
}

function choiceCard(prompt: string, choices: readonly Choice[]): Attachment {
  if (choices.length > maxHeroButtons) return dropdownCard(prompt, choices);
  return {
    contentType: 'application/vnd.microsoft.card.hero',
    content: { text: prompt, buttons: choices.map(choiceButton) },
  };
}

/** Adaptive Card 1.2 (every Teams client): the prompt, a compact choice set, and a submit button. */
function dropdownCard(prompt: string, choices: readonly Choice[]): Attachment {
  const first = choices[0];
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.2',
      body: [
        { type: 'TextBlock', text: prompt, wrap: true },
        {
          type: 'Input.ChoiceSet',
          id: teamsChoiceField,
          style: 'compact',
          // Preselected so a submit always carries a value.
          ...(first ? { value: first.value } : {}),
          choices: choices.map((choice) => ({ title: choice.title, value: choice.value })),
        },
      ],
      actions: [{ type: 'Action.Submit', title: 'Send' }],
    },
  };
}

function linkCard(title: string, url: unknown): Attachment {
  const link = String(url ?? '');
  return {
    contentType: 'application/vnd.microsoft.card.hero',
    content: { title, buttons: [{ type: 'openUrl', title: 'Open', value: link }] },
  };
}

function locationCard(location: LocationPayload): Attachment {
  return {
    contentType: 'application/vnd.microsoft.card.hero',
    content: {
      title: location.title ?? 'Location',
      ...(location.address ? { subtitle: location.address } : {}),
      buttons: [
        { type: 'openUrl', title: 'Open map', value: mapLink(location.latitude, location.longitude) },
      ],
    },
  };
}

function activityRequest(
  address: ChannelAddress,
  config: TeamsSendConfig,
  activity: Activity,
): ProviderRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.accessToken) headers.authorization = `Bearer ${config.accessToken}`;
  return {
    method: 'POST',
    path: `/v3/conversations/${encodeURIComponent(address.thread)}/activities`,
    headers,
    body: { kind: 'json', value: activity },
  };
}

const imageTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
};

/** Bot Framework wants a media type per attachment; the URL's extension tells it, PNG otherwise. */
function imageContentType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (extension && imageTypes[extension]) ?? 'image/png';
}

function fileName(url: unknown): string {
  const path = String(url ?? '').split(/[?#]/)[0] ?? '';
  const last = path.split('/').pop();
  return last && last.length > 0 ? decodeURIComponentSafe(last) : 'File';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
