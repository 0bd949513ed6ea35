import type { Bus } from '@switchboard/bus';
import type { TypingSignal } from '@switchboard/contracts';
import { HttpError } from './errors.js';

/**
 * Botpress bots say they are typing two ways: a payload of its own, `{ type: 'typing', value }`
 * (`value` true or a delay in ms: on; false or 0: off; absent: on), and `typing: true` on a content
 * payload (`{ type: 'text', text, typing: true }`: show the indicator, then the message). Typing is a
 * signal, not a message: the first is published and never stored; the second is published before its
 * message is posted as usual.
 */
export type TypingIntent =
  | { kind: 'signal-only'; typing: boolean }
  | { kind: 'before-message' }
  | { kind: 'none' };

export function typingIntent(payload: { type: string; [field: string]: unknown }): TypingIntent {
  if (payload.type === 'typing') {
    const { value } = payload;
    if (value === undefined) return { kind: 'signal-only', typing: true };
    if (typeof value === 'boolean') return { kind: 'signal-only', typing: value };
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      return { kind: 'signal-only', typing: value > 0 };
    }
    throw new HttpError(400, 'payload.value must be a boolean or a number of milliseconds');
  }
  return payload.typing === true ? { kind: 'before-message' } : { kind: 'none' };
}

/**
 * Publishes on core NATS `sig.<tenant>.conversation.<id>.typing`, where the connectors of the
 * conversation's channels listen. Fire and forget: nobody listening, or a lost signal, only costs an
 * indicator.
 */
export function publishTyping(bus: Bus, clientId: string, signal: TypingSignal): void {
  bus.nc.publish(bus.names.signal(clientId, signal.conversationId, 'typing'), JSON.stringify(signal));
}
