import { type Static, Type } from 'typebox';

/**
 * What a conversation is: one person and the bot (`direct`), several people (`group`), one sender to
 * many (`multicast`), or a contact-centre interaction with an agent (`interaction`).
 */
export const ConversationKind = Type.Union([
  Type.Literal('direct'),
  Type.Literal('group'),
  Type.Literal('multicast'),
  Type.Literal('interaction'),
]);
export type ConversationKind = Static<typeof ConversationKind>;

/** Where a message entered: through the REST API, or from a person on a channel. */
export const MessageSource = Type.Union([Type.Literal('api'), Type.Literal('channel')]);
export type MessageSource = Static<typeof MessageSource>;

/** Who wrote a message: a user (it has an author id) or the bot (no author id). */
export const AuthorKind = Type.Union([Type.Literal('user'), Type.Literal('bot')]);
export type AuthorKind = Static<typeof AuthorKind>;

/** A message's position in its conversation: 1, 2, 3, … without gaps. */
export const Sequence = Type.Integer({ minimum: 1 });
export type Sequence = Static<typeof Sequence>;
