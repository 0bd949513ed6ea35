import type { Bus } from '@switchboard/bus';
import type { MessagePostedData, MessageRemovedData, MessagesClearedData } from '@switchboard/contracts';
import { streams } from '@switchboard/contracts';
import type { EventStore } from '@switchboard/event-store';
import { streamEvents } from '@switchboard/replay';
import type { MessageFields } from './views.js';

export interface TurnWatch {
  /** Resolves when the turn of `messageId` ends or `timeoutMs` passes, whichever comes first. */
  ended(messageId: string, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Listens to one conversation's `turn` signal (core NATS), so any gateway replica can serve the
 * collect call. Start it before posting the message, so a turn ended faster than our post is not missed.
 */
export function watchTurns(bus: Bus, tenant: string, conversationId: string): TurnWatch {
  const endedTurns = new Set<string>();
  let wake: (() => void) | null = null;
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
    async ended(messageId, timeoutMs) {
      if (endedTurns.has(messageId)) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        wake = () => {
          if (endedTurns.has(messageId)) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
    },
    close() {
      turns.unsubscribe();
    },
  };
}

/**
 * The bot's replies to `messageId` still present, in conversation order, read from the event store.
 * The store, not the event stream, because a reply's POST has returned only once its event is
 * appended: a turn ended after that reply must find it, even when the relay has not published it yet.
 * Reads backwards from the stream's end and stops at the collected message itself.
 */
export async function readReplies(
  store: EventStore,
  clientId: string,
  conversationId: string,
  messageId: string,
): Promise<MessageFields[]> {
  const replies: MessagePostedData[] = [];
  const removed = new Set<string>();
  let clearedUpTo = -1;
  const newestFirst = streamEvents(store, streams.conversation(conversationId), { direction: 'backwards' });
  for await (const event of newestFirst) {
    switch (event.type) {
      case 'MessagePosted': {
        const data = event.data as MessagePostedData;
        if (data.messageId === messageId) return present(replies, removed, clearedUpTo, clientId);
        if (data.authorId === null && data.incomingId === messageId) replies.push(data);
        break;
      }
      case 'MessageRemoved':
        removed.add((event.data as MessageRemovedData).messageId);
        break;
      case 'MessagesCleared':
        clearedUpTo = Math.max(clearedUpTo, (event.data as MessagesClearedData).upToSequence);
        break;
    }
  }
  return present(replies, removed, clearedUpTo, clientId);
}

function present(
  replies: readonly MessagePostedData[],
  removed: ReadonlySet<string>,
  clearedUpTo: number,
  clientId: string,
): MessageFields[] {
  return replies
    .filter((r) => r.clientId === clientId && !removed.has(r.messageId) && r.sequence > clearedUpTo)
    .sort((a, b) => a.sequence - b.sequence)
    .map((r) => ({
      id: r.messageId,
      conversationId: r.conversationId,
      authorId: null,
      payload: r.payload,
      sentOn: new Date(r.sentOn),
    }));
}
