import type {
  CardAction,
  CardPayload,
  CarouselPayload,
  DropdownPayload,
  LocationPayload,
  Payload,
  SingleChoicePayload,
} from '@switchboard/contracts';
import { type Choice, renderNumberedChoices } from './choices.js';

/**
 * Our payloads as plain text, for channels that only carry text (SMS) and as the fallback of richer
 * channels for content they cannot show. One string per message to send; an empty list means the
 * payload has nothing a text channel can show (an unknown type without a `text` field) and is skipped.
 */
export function payloadAsTexts(payload: Payload): string[] {
  switch (payload.type) {
    case 'text':
      return [String(payload.text ?? '')];
    case 'image':
    case 'audio':
    case 'video':
    case 'file':
      return [mediaAsText(payload[payload.type], payload.title)];
    case 'voice':
      return [mediaAsText(payload.audio, undefined)];
    case 'location':
      return [locationAsText(payload as unknown as LocationPayload)];
    case 'card':
      return [cardAsText(payload as unknown as CardPayload)];
    case 'carousel':
      return (payload as unknown as CarouselPayload).items.map((item) =>
        cardAsText({ ...item, type: 'card' }),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return [renderNumberedChoices(choice.text, choice.choices)];
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return [renderNumberedChoices(dropdown.message, dropdownChoices(dropdown))];
    }
    default:
      return typeof payload.text === 'string' && payload.text.length > 0 ? [payload.text] : [];
  }
}

export function dropdownChoices(dropdown: DropdownPayload): Choice[] {
  return dropdown.options.map((option) => ({ title: option.label, value: option.value }));
}

/** The card's buttons a person can answer by number: "Say something" and "Postback". */
export function cardChoices(card: Pick<CardPayload, 'actions'>): Choice[] {
  const choices: Choice[] = [];
  for (const action of card.actions) {
    if (action.action === 'Say something') choices.push({ title: action.title, value: action.text });
    if (action.action === 'Postback') choices.push({ title: action.title, value: action.payload });
  }
  return choices;
}

/** A map link anyone can open: the documented Google Maps search URL. */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}`;
}

export function locationAsText(location: LocationPayload): string {
  const lines = [location.title, location.address, mapLink(location.latitude, location.longitude)];
  return lines.filter((line): line is string => typeof line === 'string' && line.length > 0).join('\n');
}

/** Title, subtitle, image link, links of "Open URL" buttons, then the answerable buttons numbered. */
export function cardAsText(card: CardPayload): string {
  const lines: string[] = [card.title];
  if (card.subtitle) lines.push(card.subtitle);
  if (card.image) lines.push(card.image);
  for (const action of card.actions) {
    if (isOpenUrl(action)) lines.push(`${action.title}: ${action.url}`);
  }
  const choices = cardChoices(card);
  if (choices.length > 0) lines.push(renderNumberedChoices('', choices));
  return lines.join('\n');
}

function isOpenUrl(action: CardAction): action is Extract<CardAction, { action: 'Open URL' }> {
  return action.action === 'Open URL';
}

function mediaAsText(url: unknown, title: unknown): string {
  const link = String(url ?? '');
  return typeof title === 'string' && title.length > 0 ? `${title}\n${link}` : link;
}
