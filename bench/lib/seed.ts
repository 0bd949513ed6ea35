import { randomUUID } from 'node:crypto';
import { eventIssues, eventSchemaVersions, type MessagePostedData, streams } from '@switchboard/contracts';
import type { EventData, EventStore } from '@switchboard/event-store';

/**
 * Appends `count` bot messages to an existing conversation straight into the event store, as the
 * command handler would have recorded them (same event, data and metadata), in batches of `batchSize`
 * events per append. Much faster than posting them, and the projector and the relay take them as any
 * other events. Returns the conversation's new revision.
 */
export async function seedMessages(
  store: EventStore,
  options: { clientId: string; conversationId: string; count: number; batchSize?: number },
): Promise<bigint> {
  const { clientId, conversationId, count } = options;
  const batchSize = options.batchSize ?? 5_000;
  const stream = streams.conversation(conversationId);
  const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  if (!last) throw new Error(`${stream} has no events: create the conversation first`);
  let revision = last.revision;
  // Sequences follow the stream's last message (none yet for a conversation just started).
  let sequence = last.type === 'MessagePosted' ? (last.data as MessagePostedData).sequence : 0;
  const sentFrom = Date.now() - count;
  for (let done = 0; done < count; ) {
    const n = Math.min(batchSize, count - done);
    const commandId = randomUUID();
    const events: EventData[] = Array.from({ length: n }, (_, i) => {
      sequence++;
      const data: MessagePostedData = {
        messageId: randomUUID(),
        conversationId,
        clientId,
        sequence,
        authorId: null,
        authorKind: 'bot',
        payload: { type: 'text', text: `seeded message ${sequence}` },
        payloadType: 'text',
        payloadKnown: true,
        source: 'api',
        collect: false,
        sentOn: new Date(sentFrom + done + i).toISOString(),
      };
      return {
        type: 'MessagePosted',
        data,
        metadata: {
          tenant: clientId,
          correlationId: commandId,
          causationId: commandId,
          commandId,
          actor: 'bot',
          schemaVersion: eventSchemaVersions.MessagePosted,
        },
      };
    });
    const issues = eventIssues('MessagePosted', events[0]!.data);
    if (issues.length > 0) throw new Error(`seeded event is invalid: ${JSON.stringify(issues)}`);
    const appended = await store.appendToStream(stream, events, { expectedState: revision });
    revision = appended.nextExpectedRevision;
    done += n;
  }
  return revision;
}
