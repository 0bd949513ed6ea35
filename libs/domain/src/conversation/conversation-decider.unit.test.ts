import type {
  ConversationCommand,
  ConversationEvent,
  MessagePostedData,
  PostMessageData,
} from '@switchboard/contracts';
import { limits } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState, handle } from '../decider.js';
import { DomainError } from '../domain-error.js';
import { deciderSpec, specNow } from '../testing/decider-spec.js';
import { ids, messageId, slackEndpoint, telegramEndpoint } from '../testing/fixtures.js';
import { conversationDecider } from './conversation-decider.js';
import { messagesPresent, rememberedRemovals } from './conversation-state.js';

const { given } = deciderSpec(conversationDecider);
const conversationId = ids.conversation;
const clientId = ids.client;
const userId = ids.user;
const ctx = { now: specNow };

const started: ConversationEvent = {
  type: 'ConversationStarted',
  data: { conversationId, clientId, userId, kind: 'direct' },
};
const linked: ConversationEvent = {
  type: 'EndpointLinked',
  data: { conversationId, clientId, endpoint: telegramEndpoint },
};
const archived: ConversationEvent = { type: 'ConversationArchived', data: { conversationId, clientId } };

function post(n: number, overrides: Partial<PostMessageData> = {}): ConversationCommand {
  return {
    type: 'PostMessage',
    data: {
      messageId: messageId(n),
      conversationId,
      clientId,
      authorId: null,
      payload: { type: 'text', text: `message ${n}` },
      source: 'api',
      ...overrides,
    },
  };
}

/** The MessagePosted data of bot text message `n` at `sequence`. */
function postedData(n: number, sequence = n): MessagePostedData {
  return {
    messageId: messageId(n),
    conversationId,
    clientId,
    sequence,
    authorId: null,
    authorKind: 'bot',
    payload: { type: 'text', text: `message ${n}` },
    payloadType: 'text',
    payloadKnown: true,
    source: 'api',
    collect: false,
    sentOn: specNow.toISOString(),
  };
}

function posted(n: number, sequence = n): ConversationEvent {
  return { type: 'MessagePosted', data: postedData(n, sequence) };
}

function removed(n: number, sequence = n): ConversationEvent {
  return { type: 'MessageRemoved', data: { messageId: messageId(n), conversationId, clientId, sequence } };
}

function remove(n: number, sequence = n): ConversationCommand {
  return { type: 'RemoveMessage', data: { conversationId, clientId, messageId: messageId(n), sequence } };
}

function cleared(upToSequence: number, count: number): ConversationEvent {
  return { type: 'MessagesCleared', data: { conversationId, clientId, upToSequence, count } };
}

const clear: ConversationCommand = { type: 'ClearMessages', data: { conversationId, clientId } };

/** Runs commands one after the other on one stream, as the handler would. */
function run(commands: ConversationCommand[], past: ConversationEvent[] = []): ConversationEvent[] {
  const events = [...past];
  for (const command of commands) events.push(...handle(conversationDecider, command, events, ctx));
  return events.slice(past.length);
}

describe('StartConversation', () => {
  it('starts a conversation owned by a user', () => {
    given([])
      .when({ type: 'StartConversation', data: { conversationId, clientId, userId, kind: 'direct' } })
      .then([started]);
  });

  it('links its endpoint in the same step', () => {
    given([])
      .when({
        type: 'StartConversation',
        data: { conversationId, clientId, userId, kind: 'direct', endpoint: telegramEndpoint },
      })
      .then([started, linked]);
  });

  it('refuses to start a conversation that exists, whoever started it', () => {
    const again = {
      type: 'StartConversation',
      data: { conversationId, clientId, userId, kind: 'direct' },
    } as const;
    given([started]).when(again).thenThrows('conflict');
    given([started])
      .when({ ...again, data: { ...again.data, clientId: ids.otherClient } })
      .thenThrows('conflict');
  });
});

describe('commands on a conversation that does not exist, or of another tenant', () => {
  const commands: ConversationCommand[] = [
    { type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: telegramEndpoint } },
    post(1),
    remove(1),
    clear,
    { type: 'ArchiveConversation', data: { conversationId, clientId } },
  ];

  for (const command of commands) {
    it(`${command.type} is not_found on a missing conversation`, () => {
      given([]).when(command).thenThrows('not_found');
    });

    it(`${command.type} is not_found on another tenant's conversation`, () => {
      const otherTenant = {
        ...command,
        data: { ...command.data, clientId: ids.otherClient },
      } as ConversationCommand;
      given([started, posted(1)])
        .when(otherTenant)
        .thenThrows('not_found');
    });
  }
});

describe('LinkEndpoint', () => {
  it('links an endpoint', () => {
    given([started])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: telegramEndpoint } })
      .then([linked]);
  });

  it('emits nothing for an endpoint already linked, even once archived', () => {
    given([started, linked])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: { ...telegramEndpoint } } })
      .then([]);
    given([started, linked, archived])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: telegramEndpoint } })
      .then([]);
  });

  it('links a second endpoint that differs in any part', () => {
    const otherThread = { ...telegramEndpoint, thread: 'topic-7' };
    given([started, linked])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: otherThread } })
      .then([{ type: 'EndpointLinked', data: { conversationId, clientId, endpoint: otherThread } }]);
  });

  it('refuses a new endpoint on an archived conversation', () => {
    given([started, archived])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: telegramEndpoint } })
      .thenThrows('conflict');
  });

  it(`refuses an endpoint beyond ${limits.endpointsPerConversation}`, () => {
    const full = Array.from(
      { length: limits.endpointsPerConversation },
      (_, i): ConversationEvent => ({
        type: 'EndpointLinked',
        data: { conversationId, clientId, endpoint: { ...telegramEndpoint, thread: `t${i}` } },
      }),
    );
    given([started, ...full])
      .when({ type: 'LinkEndpoint', data: { conversationId, clientId, endpoint: slackEndpoint } })
      .thenThrows('invalid');
  });
});

describe('PostMessage', () => {
  it('posts the first message at sequence 1, time from the context', () => {
    given([started])
      .when(post(1))
      .then([posted(1)]);
  });

  it('numbers messages without gaps, counting removed and cleared ones', () => {
    given([started, posted(1), posted(2), removed(2), posted(3)])
      .when(post(4))
      .then([posted(4)]);
    given([started, posted(1), posted(2), cleared(2, 2)])
      .when(post(3))
      .then([posted(3)]);
    const events = run([post(1), post(2), remove(1), clear, post(3), post(4)], [started]);
    const sequences = events.flatMap((e) => (e.type === 'MessagePosted' ? [e.data.sequence] : []));
    expect(sequences).toEqual([1, 2, 3, 4]);
  });

  it('records a user-authored message from the API with its collect and incoming id', () => {
    given([started])
      .when(post(1, { authorId: userId, collect: true, incomingId: messageId(9) }))
      .then([
        {
          type: 'MessagePosted',
          data: {
            ...postedData(1),
            authorId: userId,
            authorKind: 'user',
            incomingId: messageId(9),
            collect: true,
          },
        },
      ]);
  });

  it('records a message from a channel with the endpoint it came through', () => {
    given([started, linked])
      .when(post(1, { authorId: userId, source: 'channel', endpoint: telegramEndpoint }))
      .then([
        {
          type: 'MessagePosted',
          data: {
            ...postedData(1),
            authorId: userId,
            authorKind: 'user',
            source: 'channel',
            endpoint: telegramEndpoint,
          },
        },
      ]);
  });

  it('accepts a payload type it does not know, flagged as unknown', () => {
    const payload = { type: 'my-widget', color: 'blue' };
    given([started])
      .when(post(1, { payload }))
      .then([
        {
          type: 'MessagePosted',
          data: {
            ...postedData(1),
            payload,
            payloadType: 'my-widget',
            payloadKnown: false,
          },
        },
      ]);
  });

  it('refuses a known payload type with a wrong shape, giving the issues', () => {
    const error = given([started])
      .when(post(1, { payload: { type: 'image', title: 'no image url' } }))
      .thenThrows('invalid');
    expect(error.details).toEqual([expect.objectContaining({ path: '' })]);
  });

  it('refuses a message in an archived conversation', () => {
    given([started, posted(1), archived])
      .when(post(2))
      .thenThrows('conflict');
  });

  it('refuses a channel message without author, without endpoint, or through an endpoint not linked', () => {
    given([started, linked])
      .when(post(1, { source: 'channel', endpoint: telegramEndpoint }))
      .thenThrows('invalid');
    given([started, linked])
      .when(post(1, { authorId: userId, source: 'channel' }))
      .thenThrows('invalid');
    given([started, linked])
      .when(post(1, { authorId: userId, source: 'channel', endpoint: slackEndpoint }))
      .thenThrows('invalid');
  });

  it('refuses an endpoint on a message from the API', () => {
    given([started, linked])
      .when(post(1, { endpoint: telegramEndpoint }))
      .thenThrows('invalid');
  });
});

describe('RemoveMessage', () => {
  it('removes a present message', () => {
    given([started, posted(1), posted(2)])
      .when(remove(1))
      .then([removed(1)]);
  });

  it('is not_found for a sequence never posted', () => {
    given([started, posted(1)])
      .when(remove(2))
      .thenThrows('not_found');
    given([started]).when(remove(1)).thenThrows('not_found');
  });

  it('is not_found for a message already removed', () => {
    given([started, posted(1), posted(2), removed(1)])
      .when(remove(1))
      .thenThrows('not_found');
  });

  it('is not_found for a message cleared', () => {
    given([started, posted(1), posted(2), cleared(2, 2), posted(3)])
      .when(remove(2))
      .thenThrows('not_found');
    given([started, posted(1), posted(2), cleared(2, 2), posted(3)])
      .when(remove(3))
      .then([removed(3)]);
  });

  it('refuses the second of two racing removals of one message (the read model lagging behind)', () => {
    expect(() => run([remove(1), remove(1)], [started, posted(1)])).toThrow(DomainError);
  });

  it(`remembers the latest ${rememberedRemovals} removals, not more`, () => {
    const total = rememberedRemovals + 10;
    const posts = Array.from({ length: total }, (_, i) => posted(i + 1));
    const removals = Array.from({ length: total }, (_, i) => removed(i + 1));
    const state = foldState(conversationDecider, [started, ...posts, ...removals]);
    expect(state.status === 'active' && state.recentRemovals.length).toBe(rememberedRemovals);
    given([started, ...posts, ...removals])
      .when(remove(total))
      .thenThrows('not_found');
  });

  it('is allowed in an archived conversation (removal is hygiene, not new content)', () => {
    given([started, posted(1), archived])
      .when(remove(1))
      .then([removed(1)]);
  });
});

describe('ClearMessages', () => {
  it('clears every message posted so far, counting those still present', () => {
    given([started, posted(1), posted(2), posted(3)])
      .when(clear)
      .then([cleared(3, 3)]);
    given([started, posted(1), posted(2), posted(3), removed(2)])
      .when(clear)
      .then([cleared(3, 2)]);
  });

  it('counts only what was posted since the last clear', () => {
    given([started, posted(1), posted(2), cleared(2, 2), posted(3), posted(4), removed(3)])
      .when(clear)
      .then([cleared(4, 1)]);
  });

  it('emits nothing when nothing was posted since the last clear', () => {
    given([started]).when(clear).then([]);
    given([started, posted(1), cleared(1, 1)])
      .when(clear)
      .then([]);
  });

  it('still clears, with a count of 0, when every message since was removed one by one', () => {
    given([started, posted(1), posted(2), removed(1), removed(2)])
      .when(clear)
      .then([cleared(2, 0)]);
  });

  it('never counts below 0, even if a removal beyond the remembered ones was recorded twice', () => {
    const posts = Array.from({ length: rememberedRemovals + 2 }, (_, i) => posted(i + 1));
    const removals = Array.from({ length: rememberedRemovals + 1 }, (_, i) => removed(i + 1));
    // Sequence 1 removed again once out of the remembered window (a read model lagging that far).
    const history = [started, ...posts, ...removals, removed(1), removed(rememberedRemovals + 2)];
    given(history)
      .when(clear)
      .then([cleared(rememberedRemovals + 2, 0)]);
  });

  it('is allowed in an archived conversation', () => {
    given([started, posted(1), archived])
      .when(clear)
      .then([cleared(1, 1)]);
  });
});

describe('ArchiveConversation', () => {
  it('archives', () => {
    given([started])
      .when({ type: 'ArchiveConversation', data: { conversationId, clientId } })
      .then([archived]);
  });

  it('emits nothing when already archived', () => {
    given([started, archived])
      .when({ type: 'ArchiveConversation', data: { conversationId, clientId } })
      .then([]);
  });
});

describe('conversation state', () => {
  it('stays the same size however many messages the conversation holds', () => {
    const sizeAfter = (messages: number) => {
      let state = foldState(conversationDecider, [started, linked]);
      for (let n = 1; n <= messages; n++) state = conversationDecider.evolve(state, posted(n % 4000, n));
      return { size: JSON.stringify(state).length, state };
    };
    const small = sizeAfter(10);
    const large = sizeAfter(100_000);
    expect(large.state.status === 'active' && large.state.lastSequence).toBe(100_000);
    // Only the digits of the counters grow.
    expect(large.size - small.size).toBeLessThanOrEqual(4);
  });

  it('counts present messages through posts, removals and clears', () => {
    const state = foldState(conversationDecider, [started, posted(1), posted(2), posted(3), removed(2)]);
    expect(state.status !== 'none' && messagesPresent(state)).toBe(2);
    const afterClear = conversationDecider.evolve(state, cleared(3, 2));
    expect(afterClear.status !== 'none' && messagesPresent(afterClear)).toBe(0);
  });
});
