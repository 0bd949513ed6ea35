import { type Static, type TSchema, Type } from 'typebox';
import { type SchemaIssue, schemaIssues } from './schema-check.js';

/**
 * Message payloads: the content types Botpress Messaging exchanges (`text`, `image`, `card`,
 * `single-choice`, …). Known types are checked field by field; extra fields are kept (clients attach
 * their own metadata) and a `type` we do not know is accepted as it is, flagged as unknown, so a
 * client's custom content survives the round trip.
 */

/** Any payload: an object with a `type`. What a command or an event carries. */
export const Payload = Type.Unsafe<{ type: string; [field: string]: unknown }>(
  Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: true }),
);
export type Payload = Static<typeof Payload>;

// A media address: usually an https URL, sometimes a data URI or a provider's own reference.
const MediaUrl = Type.String({ minLength: 1 });
const Title = Type.Optional(Type.String());

export const TextPayload = Type.Object({
  type: Type.Literal('text'),
  text: Type.String(),
  markdown: Type.Optional(Type.Boolean()),
});
export type TextPayload = Static<typeof TextPayload>;

export const ImagePayload = Type.Object({ type: Type.Literal('image'), image: MediaUrl, title: Title });
export type ImagePayload = Static<typeof ImagePayload>;

export const AudioPayload = Type.Object({ type: Type.Literal('audio'), audio: MediaUrl, title: Title });
export type AudioPayload = Static<typeof AudioPayload>;

/** A voice note: audio recorded by the person, rendered differently from an audio file by some channels. */
export const VoicePayload = Type.Object({ type: Type.Literal('voice'), audio: MediaUrl });
export type VoicePayload = Static<typeof VoicePayload>;

export const VideoPayload = Type.Object({ type: Type.Literal('video'), video: MediaUrl, title: Title });
export type VideoPayload = Static<typeof VideoPayload>;

export const FilePayload = Type.Object({ type: Type.Literal('file'), file: MediaUrl, title: Title });
export type FilePayload = Static<typeof FilePayload>;

export const LocationPayload = Type.Object({
  type: Type.Literal('location'),
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  address: Type.Optional(Type.String()),
  title: Title,
});
export type LocationPayload = Static<typeof LocationPayload>;

/** A card's button: says a text for the person, opens a URL, or posts a payload back to the bot. */
export const CardAction = Type.Union([
  Type.Object({ action: Type.Literal('Say something'), title: Type.String(), text: Type.String() }),
  Type.Object({ action: Type.Literal('Open URL'), title: Type.String(), url: Type.String({ minLength: 1 }) }),
  Type.Object({ action: Type.Literal('Postback'), title: Type.String(), payload: Type.String() }),
]);
export type CardAction = Static<typeof CardAction>;

const cardFields = {
  title: Type.String(),
  subtitle: Type.Optional(Type.String()),
  image: Type.Optional(MediaUrl),
  actions: Type.Array(CardAction),
  markdown: Type.Optional(Type.Boolean()),
};

export const CardPayload = Type.Object({ type: Type.Literal('card'), ...cardFields });
export type CardPayload = Static<typeof CardPayload>;

/** Carousel items are cards; senders often leave out the items' own `type`. */
export const CarouselPayload = Type.Object({
  type: Type.Literal('carousel'),
  items: Type.Array(Type.Object({ type: Type.Optional(Type.Literal('card')), ...cardFields })),
});
export type CarouselPayload = Static<typeof CarouselPayload>;

export const SingleChoicePayload = Type.Object({
  type: Type.Literal('single-choice'),
  text: Type.String(),
  choices: Type.Array(Type.Object({ title: Type.String(), value: Type.String() })),
});
export type SingleChoicePayload = Static<typeof SingleChoicePayload>;

export const DropdownPayload = Type.Object({
  type: Type.Literal('dropdown'),
  message: Type.String(),
  options: Type.Array(Type.Object({ label: Type.String(), value: Type.String() })),
});
export type DropdownPayload = Static<typeof DropdownPayload>;

/** The schema of each payload type we know, by its `type`. */
export const knownPayloadSchemas = {
  text: TextPayload,
  image: ImagePayload,
  audio: AudioPayload,
  voice: VoicePayload,
  video: VideoPayload,
  file: FilePayload,
  location: LocationPayload,
  card: CardPayload,
  carousel: CarouselPayload,
  'single-choice': SingleChoicePayload,
  dropdown: DropdownPayload,
} as const satisfies Record<string, TSchema>;

export type KnownPayloadType = keyof typeof knownPayloadSchemas;
export type KnownPayload = Static<(typeof knownPayloadSchemas)[KnownPayloadType]>;

export function isKnownPayloadType(type: string): type is KnownPayloadType {
  return Object.hasOwn(knownPayloadSchemas, type);
}

export type PayloadValidation =
  | { kind: 'known'; type: KnownPayloadType }
  | { kind: 'unknown'; type: string }
  | { kind: 'invalid'; issues: SchemaIssue[] };

/**
 * Classifies a payload: a known type with the right shape, a type we do not know (accepted, stored as
 * it is), or invalid (not an object with a string `type`, or a known type with a wrong shape).
 */
export function validatePayload(payload: unknown): PayloadValidation {
  const envelopeIssues = schemaIssues(Payload, payload);
  if (envelopeIssues.length > 0) return { kind: 'invalid', issues: envelopeIssues };
  const { type } = payload as Payload;
  if (!isKnownPayloadType(type)) return { kind: 'unknown', type };
  const issues = schemaIssues(knownPayloadSchemas[type], payload);
  return issues.length > 0 ? { kind: 'invalid', issues } : { kind: 'known', type };
}
