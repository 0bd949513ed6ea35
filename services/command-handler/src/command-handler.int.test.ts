import { randomUUID } from 'node:crypto';
import { type CommandEnvelope, type CommandReply, commandEnvelope } from '@switchboard/bus';
import { type CommandType, commandAggregate, eventUpcasters, streams } from '@switchboard/contracts';
import type { AnyDecider } from '@switchboard/domain';
import { connectEventStore, createEventStore, type EventStore } from '@switchboard/event-store';
import { createLogger } from '@switchboard/telemetry';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import type postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandProcessor } from './command-processor.js';
import type { CommandResult } from './command-results.js';
import type { CommandHandlerConfig } from './config.js';
import { KeyedQueue } from './keyed-queue.js';
import { priorResult } from './prior-results.js';
import { type RunningCommandHandler, startCommandHandler } from './service.js';
import { type StreamSnapshot, StreamStates } from './stream-states.js';

const logger = createLogger('command-handler-test', 'silent');
const tokenHash = 'ab'.repeat(32);
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let nats: TestNats;
beforeAll(async () => {
  nats = await createTestNats();
});
afterAll(async () => {
  await nats.close();
});

let db: TestDatabase;
let sql: postgres.Sql;
let store: EventStore;
const handlers: RunningCommandHandler[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  sql = connectEventStore(db.url, { max: 2 });
  store = createEventStore({ sql, upcasters: eventUpcasters });
});
afterEach(async () => {
  for (const h of handlers.splice(0)) await h.stop();
  await store.close();
  await sql.end();
  await db.drop();
});

async function startHandler(overrides: Partial<CommandHandlerConfig> = {}): Promise<RunningCommandHandler> {
  const handler = await startCommandHandler(
    {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: 0,
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: 5,
      COMMAND_CONCURRENCY: 64,
      STATE_CACHE_STREAMS: 100,
      APPEND_ATTEMPTS: 10,
      ...overrides,
    },
    logger,
  );
  handlers.push(handler);
  return handler;
}

function envelope(tenant: string, type: CommandType, payload: unknown, commandId?: string): CommandEnvelope {
  return commandEnvelope({
    type,
    tenant,
    payload,
    ...(commandId ? { commandId } : {}),
    metadata: { correlationId: `corr-${type}`, actor: 'test-actor', traceparent },
  });
}

/** Sends a command the way the gateway does: NATS request/reply to the queue group. */
async function send(
  handler: RunningCommandHandler,
  tenant: string,
  type: CommandType,
  payload: unknown,
  commandId?: string,
): Promise<CommandReply<CommandResult>> {
  const subject = handler.bus.names.command(tenant, commandAggregate[type], type);
  return handler.bus.request<CommandResult>(subject, envelope(tenant, type, payload, commandId), {
    timeoutMs: 10_000,
  });
}

function okResult(reply: CommandReply<CommandResult>): CommandResult {
  if (reply.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(reply)}`);
  return reply.result;
}

/** StreamStates that lets "another process" write after a load, before the append that follows it. */
class RacingStates extends StreamStates {
  #race: (() => Promise<void>) | undefined;
  #always = false;

  raceOnce(race: () => Promise<void>): void {
    this.#race = race;
    this.#always = false;
  }

  raceAlways(race: () => Promise<void>): void {
    this.#race = race;
    this.#always = true;
  }

  override async load(stream: string, decider: AnyDecider): Promise<StreamSnapshot> {
    const snapshot = await super.load(stream, decider);
    const race = this.#race;
    if (!this.#always) this.#race = undefined;
    await race?.();
    return snapshot;
  }
}

const text = (t: string) => ({ type: 'text', text: t });

/** A client with a user and a conversation, created through the bus. */
async function conversationOf(handler: RunningCommandHandler) {
  const clientId = randomUUID();
  const userId = randomUUID();
  const conversationId = randomUUID();
  okResult(await send(handler, clientId, 'CreateClient', { clientId, tokenHash }));
  okResult(await send(handler, clientId, 'CreateUser', { clientId, userId }));
  okResult(
    await send(handler, clientId, 'StartConversation', { clientId, userId, conversationId, kind: 'direct' }),
  );
  return { clientId, userId, conversationId };
}

const postMessage = (ids: { clientId: string; conversationId: string; userId: string }, t: string) => ({
  messageId: randomUUID(),
  conversationId: ids.conversationId,
  clientId: ids.clientId,
  authorId: ids.userId,
  payload: text(t),
  source: 'api',
});

describe('command-handler', () => {
  it('creates a client, a user, a conversation and messages, each reply carrying its position', async () => {
    const handler = await startHandler();
    const ids = await conversationOf(handler);

    const first = okResult(await send(handler, ids.clientId, 'PostMessage', postMessage(ids, 'hello')));
    const second = okResult(await send(handler, ids.clientId, 'PostMessage', postMessage(ids, 'again')));
    expect(first).toMatchObject({ sequence: 1, revision: '1' });
    expect(second).toMatchObject({ sequence: 2, revision: '2' });

    const events = await store.readStream(streams.conversation(ids.conversationId));
    expect(events.map((e) => e.type)).toEqual(['ConversationStarted', 'MessagePosted', 'MessagePosted']);
    const last = events[2]!;
    expect(second.position).toEqual({
      commit: last.position.commit.toString(),
      prepare: last.position.prepare.toString(),
    });
    expect(last.metadata).toMatchObject({
      tenant: ids.clientId,
      correlationId: 'corr-PostMessage',
      actor: 'test-actor',
      traceparent,
      schemaVersion: 1,
    });
    expect(last.metadata.commandId).toEqual(expect.any(String));
    expect(last.metadata.causationId).toBe(last.metadata.commandId);
    expect(await handler.ready()).toEqual({ nats: true, database: true, responder: true, inbox: true });
  });

  it('keeps sequences gapless under 20 concurrent posts to one conversation across two handlers', async () => {
    const a = await startHandler();
    const b = await startHandler();
    const ids = await conversationOf(a);

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i % 2 === 0 ? a : b, ids.clientId, 'PostMessage', postMessage(ids, `m${i}`)),
      ),
    );
    const sequences = replies.map((r) => okResult(r).sequence as number).sort((x, y) => x - y);
    expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    const events = await store.readStream(streams.conversation(ids.conversationId));
    const stored = events
      .filter((e) => e.type === 'MessagePosted')
      .map((e) => (e.data as { sequence: number }).sequence);
    expect(stored).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('decides again on the newer state when another writer appended between its read and its append', async () => {
    const other = await startHandler();
    const ids = await conversationOf(other);
    const states = new RacingStates(store, 100);
    const processor = new CommandProcessor({
      store,
      states,
      queue: new KeyedQueue(),
      priorResult: (commandId, stream) => priorResult(sql, commandId, stream),
      appendAttempts: 3,
    });
    // Another process posts right after this one has read the conversation, so its append is refused.
    states.raceOnce(async () => {
      okResult(await other.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'racer'))));
    });
    const reply = okResult(
      await processor.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'mine'))),
    );
    expect(reply).toMatchObject({ sequence: 2, revision: '2' });
    expect(processor.conflicts).toBe(1);

    // A stream that moves on before every append: bounded attempts, then unavailable, nothing appended.
    states.raceAlways(async () => {
      okResult(await other.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'racer'))));
    });
    const mine = postMessage(ids, 'never');
    const refused = await processor.handle(envelope(ids.clientId, 'PostMessage', mine));
    expect(refused).toMatchObject({ status: 'unavailable' });
    expect(processor.conflicts).toBe(4);
    const events = await store.readStream(streams.conversation(ids.conversationId));
    expect(events.some((e) => (e.data as { messageId?: string }).messageId === mine.messageId)).toBe(false);
  });

  it('answers a retried command id with its first result and appends nothing', async () => {
    const handler = await startHandler();
    const ids = await conversationOf(handler);
    const commandId = randomUUID();
    const post = postMessage(ids, 'once');

    const first = okResult(await send(handler, ids.clientId, 'PostMessage', post, commandId));
    const retried = okResult(await send(handler, ids.clientId, 'PostMessage', post, commandId));
    expect(retried).toEqual(first);
    const events = await store.readStream(streams.conversation(ids.conversationId));
    expect(events.filter((e) => e.type === 'MessagePosted')).toHaveLength(1);

    // A retry the new state would refuse (the user exists now) still answers the first result.
    const userId = randomUUID();
    const createUserId = randomUUID();
    const created = okResult(
      await send(handler, ids.clientId, 'CreateUser', { clientId: ids.clientId, userId }, createUserId),
    );
    const again = okResult(
      await send(handler, ids.clientId, 'CreateUser', { clientId: ids.clientId, userId }, createUserId),
    );
    expect(again).toEqual(created);
    expect(await store.readStream(streams.user(userId))).toHaveLength(1);
    // Without the same command id it is a conflict.
    const other = await send(handler, ids.clientId, 'CreateUser', { clientId: ids.clientId, userId });
    expect(other.status).toBe('conflict');
  });

  it("answers not_found for another tenant's aggregate and for a tenant that is not the payload's client", async () => {
    const handler = await startHandler();
    const ids = await conversationOf(handler);
    const intruder = randomUUID();
    okResult(await send(handler, intruder, 'CreateClient', { clientId: intruder, tokenHash }));

    // The envelope's tenant differs from the payload's client.
    const mismatch = await send(handler, intruder, 'PostMessage', postMessage(ids, 'sneaky'));
    expect(mismatch).toEqual({ status: 'not_found', message: 'conversation not found' });
    // The payload claims the intruder's client, but the conversation is another tenant's.
    const foreign = await send(handler, intruder, 'PostMessage', {
      ...postMessage(ids, 'sneaky'),
      clientId: intruder,
      authorId: null,
    });
    expect(foreign.status).toBe('not_found');
    const events = await store.readStream(streams.conversation(ids.conversationId));
    expect(events.filter((e) => e.type === 'MessagePosted')).toHaveLength(0);
  });

  it('rejects an invalid payload with its issues, and an unknown command type', async () => {
    const handler = await startHandler();
    const clientId = randomUUID();
    const invalid = await send(handler, clientId, 'CreateClient', { clientId, tokenHash: 'not-a-hash' });
    expect(invalid).toMatchObject({ status: 'rejected', code: 'invalid' });
    const details = (invalid as { details: { issues: { path: string }[] } }).details;
    expect(details.issues.map((i) => i.path)).toContain('/tokenHash');
    await expect(store.readStream(streams.client(clientId))).rejects.toThrow(/not found/);

    const unknown = await handler.bus.request(
      handler.bus.names.command(clientId, 'client', 'LaunchRocket'),
      commandEnvelope({ type: 'LaunchRocket', tenant: clientId, payload: {} }),
    );
    expect(unknown).toMatchObject({ status: 'rejected', code: 'unknown_command' });
  });

  it('answers a no-op with the position of the state that made it one', async () => {
    const handler = await startHandler();
    const ids = await conversationOf(handler);
    const clear = { clientId: ids.clientId, conversationId: ids.conversationId };
    const events = await store.readStream(streams.conversation(ids.conversationId));
    const started = events[0]!;

    const noop = okResult(await send(handler, ids.clientId, 'ClearMessages', clear));
    expect(noop).toEqual({
      count: 0,
      revision: '0',
      position: { commit: started.position.commit.toString(), prepare: started.position.prepare.toString() },
    });

    okResult(await send(handler, ids.clientId, 'PostMessage', postMessage(ids, 'one')));
    okResult(await send(handler, ids.clientId, 'PostMessage', postMessage(ids, 'two')));
    const cleared = okResult(await send(handler, ids.clientId, 'ClearMessages', clear));
    expect(cleared).toMatchObject({ count: 2, revision: '3' });
    const again = okResult(await send(handler, ids.clientId, 'ClearMessages', clear));
    expect(again).toEqual({ ...cleared, count: 0 });
  });

  it('reads what another handler appended before deciding on a cached state', async () => {
    const a = await startHandler();
    const b = await startHandler();
    const ids = await conversationOf(a);
    const clear = { clientId: ids.clientId, conversationId: ids.conversationId };

    expect(
      okResult(await a.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'a1')))).sequence,
    ).toBe(1);
    expect(
      okResult(await b.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'b1')))).sequence,
    ).toBe(2);
    expect(
      okResult(await b.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'b2')))).sequence,
    ).toBe(3);
    // a's cached state is at sequence 1: it must catch up, not decide sequence 2 again.
    expect(
      okResult(await a.handle(envelope(ids.clientId, 'PostMessage', postMessage(ids, 'a2')))).sequence,
    ).toBe(4);
    expect(okResult(await b.handle(envelope(ids.clientId, 'ClearMessages', clear))).count).toBe(4);
    expect(okResult(await a.handle(envelope(ids.clientId, 'ClearMessages', clear))).count).toBe(0);
    expect(a.cachedStreams()).toBeGreaterThan(0);
    expect(a.conflicts() + b.conflicts()).toBe(0);
  });
});
