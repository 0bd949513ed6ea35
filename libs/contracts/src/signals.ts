import { type Static, Type } from 'typebox';
import { fitsSchema } from './schema-check.js';
import { ConversationId, UserId } from './values.js';

/**
 * A typing signal, the JSON body on core NATS `sig.<tenant>.conversation.<id>.typing`. Ephemeral: never
 * an event, never stored, lost when nobody listens. `authorId` null is the bot (what connectors show on
 * the channel); a user's id is that user typing. `typing` false ends an indicator where the provider
 * can end one.
 */
export const TypingSignal = Type.Object({
  conversationId: ConversationId,
  authorId: Type.Union([UserId, Type.Null()]),
  typing: Type.Boolean(),
});
export type TypingSignal = Static<typeof TypingSignal>;

/** The typing signal in a NATS message body; undefined when the body is not one. */
export function parseTypingSignal(body: string): TypingSignal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  return fitsSchema(TypingSignal, value) ? (value as TypingSignal) : undefined;
}
