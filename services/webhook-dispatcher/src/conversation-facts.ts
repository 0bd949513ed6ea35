import type { EventStore } from '@switchboard/event-store';
import { StreamDeletedError, StreamNotFoundError } from '@switchboard/event-store';
import type { ConversationFacts } from './webhook-events.js';

/**
 * A conversation's owner and starting channel, read once from the head of its stream (the source of
 * truth: the read model may lag behind the event being delivered) and cached. These facts never change.
 */
export class ConversationFactsCache {
  readonly #cache = new Map<string, ConversationFacts>();

  constructor(
    private readonly store: Pick<EventStore, 'readStream'>,
    private readonly maxEntries = 50_000,
  ) {}

  async get(conversationId: string): Promise<ConversationFacts | undefined> {
    const cached = this.cached(conversationId);
    if (cached) return cached;
    const facts = await this.#read(conversationId);
    if (facts) this.#remember(conversationId, facts);
    return facts;
  }

  /** The facts when they are cached (most events: no promise for them); undefined: `get` reads them. */
  cached(conversationId: string): ConversationFacts | undefined {
    const cached = this.#cache.get(conversationId);
    if (cached) {
      // Re-inserted so that the Map's order is least recently used first.
      this.#cache.delete(conversationId);
      this.#cache.set(conversationId, cached);
    }
    return cached;
  }

  async #read(conversationId: string): Promise<ConversationFacts | undefined> {
    let head: Awaited<ReturnType<EventStore['readStream']>>;
    try {
      head = await this.store.readStream(`conversation-${conversationId}`, { maxCount: 2 });
    } catch (err) {
      if (err instanceof StreamNotFoundError || err instanceof StreamDeletedError) return undefined;
      throw err;
    }
    const [started, next] = head;
    if (started?.type !== 'ConversationStarted') return undefined;
    const userId = (started.data as { userId?: unknown }).userId;
    if (typeof userId !== 'string') return undefined;
    // The endpoint linked by the same command that started the conversation is where it started.
    const sameCommand =
      next?.type === 'EndpointLinked' &&
      next.metadata.commandId !== undefined &&
      next.metadata.commandId === started.metadata.commandId;
    const channel = sameCommand
      ? (next.data as { endpoint?: { channel?: { name?: unknown } } }).endpoint?.channel?.name
      : undefined;
    return { userId, channel: typeof channel === 'string' ? channel : 'api' };
  }

  #remember(conversationId: string, facts: ConversationFacts): void {
    this.#cache.set(conversationId, facts);
    if (this.#cache.size > this.maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}
