import type { Bus } from '@switchboard/bus';
import type { MessageFields } from './views.js';

interface PostedEvent {
  data: {
    messageId: string;
    conversationId: string;
    clientId: string;
    sequence: number | string;
    authorId: string | null;
    payload: Record<string, unknown>;
    incomingId?: string | null;
    sentOn: string;
  };
}

export interface ReplyCollector {
  /** The bot's replies to `messageId`, once the turn ends or `timeoutMs` passes. */
  until(messageId: string, timeoutMs: number): Promise<MessageFields[]>;
  close(): void;
}

/**
 * Watches one conversation's `MessagePosted` events as the relay publishes them (a core NATS
 * subscription on the JetStream subject) plus the conversation's `turn` signal. Any gateway replica
 * can serve the collect call: the events and the signal reach every subscriber.
 */
export function collectReplies(bus: Bus, tenant: string, conversationId: string): ReplyCollector {
  const replies: PostedEvent['data'][] = [];
  const endedTurns = new Set<string>();
  let wake: (() => void) | null = null;

  const events = bus.nc.subscribe(bus.names.event(tenant, 'conversation', conversationId, 'MessagePosted'), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const event = msg.json<PostedEvent>();
        if (event.data.authorId == null && event.data.incomingId) replies.push(event.data);
      } catch {
        // not an event we understand
      }
    },
  });
  const turns = bus.nc.subscribe(bus.names.signal(tenant, conversationId, 'turn'), {
    callback: (err, msg) => {
      if (err) return;
      try {
        endedTurns.add(msg.json<{ messageId: string }>().messageId);
        wake?.();
      } catch {
        // ignore malformed signals
      }
    },
  });

  return {
    async until(messageId, timeoutMs) {
      if (!endedTurns.has(messageId)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            if (endedTurns.has(messageId)) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
      }
      return replies
        .filter((r) => r.incomingId === messageId)
        .sort((a, b) => Number(a.sequence) - Number(b.sequence))
        .map(
          (r) =>
            ({
              id: r.messageId,
              conversationId: r.conversationId,
              authorId: null,
              payload: r.payload,
              sentOn: new Date(r.sentOn),
            }) satisfies MessageFields,
        );
    },
    close() {
      events.unsubscribe();
      turns.unsubscribe();
    },
  };
}
