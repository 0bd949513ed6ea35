import {
  cardAsText,
  dropdownChoices,
  locationAsText,
  mapLink,
  payloadAsTexts,
  renderNumberedChoices,
} from '@switchboard/channel-common';
import type {
  CardPayload,
  CarouselPayload,
  ChannelAddress,
  DropdownPayload,
  LocationPayload,
  Payload,
  SingleChoicePayload,
} from '@switchboard/contracts';
import { defaultEmailSubject, type EmailConfig } from './config.js';

/** An attachment nodemailer fetches itself: `path` is the media URL (http(s) or data URI). */
export interface MailAttachment {
  filename: string;
  path: string;
}

/** One e-mail, in the shape of nodemailer's message options. */
export interface MailDescription {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
}

type Body = { text: string; html: string; attachments: MailAttachment[] };

/**
 * One of our payloads as one e-mail to `address.sender`, with a text and an HTML body. Media are
 * attachments by URL (an image is also shown inline); a location is a map link; cards, carousels,
 * choices and dropdowns are their text with links for "Open URL" buttons and the answerable buttons
 * numbered (e-mail has no buttons). The subject is the payload's own `subject` field when it has one,
 * else the configured one. An unknown type with a `text` is sent as text; one without gives null (skipped).
 */
export function renderEmail(
  payload: Payload,
  address: ChannelAddress,
  config: EmailConfig,
): MailDescription | null {
  const body = bodyFor(payload);
  if (body === null) return null;
  const subject =
    typeof payload.subject === 'string' && payload.subject.length > 0 ? payload.subject : undefined;
  return {
    from: config.from,
    to: address.sender,
    ...(config.replyTo ? { replyTo: config.replyTo } : {}),
    subject: subject ?? config.subject ?? defaultEmailSubject,
    ...body,
  };
}

function bodyFor(payload: Payload): Body | null {
  switch (payload.type) {
    case 'text':
      return plain(String(payload.text ?? ''));
    case 'image': {
      const url = String(payload.image ?? '');
      const title = optionalString(payload.title);
      return {
        text: [title, url].filter(Boolean).join('\n'),
        html: `${title ? paragraph(title) : ''}<p><img src="${attribute(url)}" alt="${attribute(title ?? '')}"></p>`,
        attachments: [attachment(url, title)],
      };
    }
    case 'audio':
    case 'video':
    case 'file':
      return media(payload[payload.type], optionalString(payload.title));
    case 'voice':
      return media(payload.audio, undefined);
    case 'location': {
      const location = payload as unknown as LocationPayload;
      const link = mapLink(location.latitude, location.longitude);
      const lines = [location.title, location.address].filter((line): line is string => Boolean(line));
      return {
        text: locationAsText(location),
        html: `${lines.map(paragraph).join('')}<p>${anchor(link, 'Open the map')}</p>`,
        attachments: [],
      };
    }
    case 'card':
      return cards([payload as unknown as CardPayload]);
    case 'carousel':
      return cards(
        (payload as unknown as CarouselPayload).items.map((item) => ({ ...item, type: 'card' as const })),
      );
    case 'single-choice': {
      const choice = payload as unknown as SingleChoicePayload;
      return numbered(choice.text, choice.choices);
    }
    case 'dropdown': {
      const dropdown = payload as unknown as DropdownPayload;
      return numbered(dropdown.message, dropdownChoices(dropdown));
    }
    default: {
      const texts = payloadAsTexts(payload);
      return texts.length === 0 ? null : plain(texts.join('\n\n'));
    }
  }
}

function plain(text: string): Body {
  return { text, html: paragraph(text), attachments: [] };
}

function media(url: unknown, title: string | undefined): Body {
  const link = String(url ?? '');
  const name = title ?? fileName(link);
  return {
    text: [title, link].filter(Boolean).join('\n'),
    html: `<p>${anchor(link, name)}</p>`,
    attachments: [attachment(link, title)],
  };
}

function cards(items: CardPayload[]): Body {
  const html = items.map((card) => {
    const parts = [`<h3>${escapeHtml(card.title)}</h3>`];
    if (card.subtitle) parts.push(paragraph(card.subtitle));
    if (card.image) parts.push(`<p><img src="${attribute(card.image)}" alt="${attribute(card.title)}"></p>`);
    const links = card.actions.flatMap((action) =>
      action.action === 'Open URL' ? [anchor(action.url, action.title)] : [],
    );
    if (links.length > 0) parts.push(`<p>${links.join(' · ')}</p>`);
    const answers = card.actions.flatMap((action) => (action.action === 'Open URL' ? [] : [action.title]));
    if (answers.length > 0) parts.push(orderedList(answers));
    return parts.join('');
  });
  return { text: items.map(cardAsText).join('\n\n'), html: html.join('<hr>'), attachments: [] };
}

function numbered(prompt: string, choices: readonly { title: string; value: string }[]): Body {
  return {
    text: renderNumberedChoices(prompt, choices),
    html: `${prompt ? paragraph(prompt) : ''}${orderedList(choices.map((choice) => choice.title))}`,
    attachments: [],
  };
}

/** The title as file name, keeping the URL's extension when the title has none. */
function attachment(url: string, title: string | undefined): MailAttachment {
  const fromUrl = fileName(url);
  if (title === undefined) return { filename: fromUrl, path: url };
  const extension = /\.[A-Za-z0-9]{1,8}$/.exec(fromUrl)?.[0];
  const hasExtension = /\.[A-Za-z0-9]{1,8}$/.test(title);
  return { filename: hasExtension || extension === undefined ? title : `${title}${extension}`, path: url };
}

function fileName(url: string): string {
  if (url.startsWith('data:')) return 'attachment';
  const path = url.split(/[?#]/)[0] ?? '';
  const last = path.split('/').pop() ?? '';
  try {
    return last.length > 0 ? decodeURIComponent(last) : 'attachment';
  } catch {
    return last;
  }
}

function paragraph(text: string): string {
  return `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>`;
}

function orderedList(items: readonly string[]): string {
  return `<ol>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ol>`;
}

function anchor(url: string, text: string): string {
  return `<a href="${attribute(url)}">${escapeHtml(text)}</a>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
