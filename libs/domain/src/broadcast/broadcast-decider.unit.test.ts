import {
  type BroadcastCommand,
  type BroadcastEvent,
  broadcastContentHash,
  broadcastIdOf,
} from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState } from '../decider.js';
import { deciderSpec, specNow } from '../testing/decider-spec.js';
import { ids } from '../testing/fixtures.js';
import { broadcastDecider } from './broadcast-decider.js';

const { given } = deciderSpec(broadcastDecider);
const clientId = ids.client;
const outboundMessageId = 'LzIX47-iIDVpNmnbXqCYXg';
const broadcastId = broadcastIdOf(clientId, outboundMessageId);
const content = {
  title: 'Here is your reminder',
  body: 'You asked to be reminded about this note.',
  link: { uri: 'https://example.com/notes/z7I6s3jljh5RUoUYmqxxPw', text: 'Open your note' },
};
const topic = { kind: 'topic' as const };
const request = (
  overrides: Partial<{ content: typeof content; audience: unknown }> = {},
): BroadcastCommand => {
  const audience = (overrides.audience ?? topic) as typeof topic;
  const body = overrides.content ?? content;
  return {
    type: 'RequestBroadcast',
    data: {
      broadcastId,
      clientId,
      outboundMessageId,
      channel: 'notifications',
      audience,
      content: body,
      contentHash: broadcastContentHash({ channel: 'notifications', audience, content: body }),
    },
  };
};
const requested: BroadcastEvent = {
  type: 'BroadcastRequested',
  data: {
    ...(request().data as Extract<BroadcastCommand, { type: 'RequestBroadcast' }>['data']),
    requestedAt: specNow.toISOString(),
  },
};
const user = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const resolve = (batch: number, ...users: number[]): BroadcastCommand => ({
  type: 'RecordRecipientsResolved',
  data: { broadcastId, clientId, batch, userIds: users.map(user) },
});
const resolvedEvent = (batch: number, ...users: number[]): BroadcastEvent => ({
  type: 'RecipientsResolved',
  data: { broadcastId, clientId, batch, userIds: users.map(user) },
});
const dispatch: BroadcastCommand = { type: 'DispatchBroadcast', data: { broadcastId, clientId } };
const settle = (batch: number, delivered: number, failed: number): BroadcastCommand => ({
  type: 'RecordRecipientsSettled',
  data: { broadcastId, clientId, batch, delivered, failed },
});
const settledEvent = (batch: number, delivered: number, failed: number): BroadcastEvent => ({
  type: 'RecipientsSettled',
  data: { broadcastId, clientId, batch, delivered, failed },
});
const complete: BroadcastCommand = { type: 'CompleteBroadcast', data: { broadcastId, clientId } };
const twoBatches = [requested, resolvedEvent(0, 1, 2), resolvedEvent(1, 3)];
const dispatched: BroadcastEvent = {
  type: 'BroadcastDispatched',
  data: { broadcastId, clientId, recipientCount: 3 },
};

describe('RequestBroadcast', () => {
  it('records the request, pending, at the handler’s time', () => {
    given([]).when(request()).then([requested]);
    expect(foldState(broadcastDecider, [requested])).toMatchObject({ status: 'pending', recipientCount: 0 });
  });

  it('changes nothing when the same request comes again', () => {
    given([requested]).when(request()).then([]);
    given([...twoBatches, dispatched])
      .when(request())
      .then([]);
  });

  it('refuses other content under the same outbound message id', () => {
    const error = given([requested])
      .when(request({ content: { ...content, title: 'Another title' } }))
      .thenThrows('conflict');
    expect(error.message).toContain(outboundMessageId);
    given([requested])
      .when(request({ audience: { kind: 'user', userId: ids.user } }))
      .thenThrows('conflict');
  });

  it('refuses a broadcast id or a content hash that does not match the request', () => {
    const r = request() as Extract<BroadcastCommand, { type: 'RequestBroadcast' }>;
    given([])
      .when({ ...r, data: { ...r.data, broadcastId: broadcastIdOf(ids.otherClient, outboundMessageId) } })
      .thenThrows('invalid');
    given([])
      .when({ ...r, data: { ...r.data, contentHash: 'ab'.repeat(32) } })
      .thenThrows('invalid');
  });
});

describe('pending: recipients resolved batch by batch', () => {
  it('records batches in order and counts their recipients', () => {
    given([requested])
      .when(resolve(0, 1, 2))
      .then([resolvedEvent(0, 1, 2)]);
    given([requested, resolvedEvent(0, 1, 2)])
      .when(resolve(1, 3))
      .then([resolvedEvent(1, 3)]);
    expect(foldState(broadcastDecider, twoBatches)).toMatchObject({
      status: 'pending',
      resolvedBatches: 2,
      recipientCount: 3,
      cursor: user(3),
    });
  });

  it('changes nothing for a batch already recorded (a restarted fan-out)', () => {
    given(twoBatches)
      .when(resolve(0, 1, 2))
      .then([]);
    given([...twoBatches, dispatched])
      .when(resolve(1, 3))
      .then([]);
  });

  it('refuses a gap, a recipient twice, or recipients out of order', () => {
    given([requested]).when(resolve(1, 1)).thenThrows('invalid');
    given([requested, resolvedEvent(0, 1, 2)])
      .when(resolve(1, 2, 3))
      .thenThrows('invalid');
    given([requested])
      .when(resolve(0, 2, 1))
      .thenThrows('invalid');
    given([requested])
      .when(resolve(0, 1, 1))
      .thenThrows('invalid');
  });

  it('refuses more batches once dispatched', () => {
    given([...twoBatches, dispatched])
      .when(resolve(2, 4))
      .thenThrows('invalid');
  });

  it('sends a broadcast to one user to that user only', () => {
    const direct = request({ audience: { kind: 'user', userId: user(7) } });
    const [directRequested] = given([])
      .when(direct)
      .then([
        {
          ...requested,
          data: {
            ...requested.data,
            audience: { kind: 'user', userId: user(7) },
            contentHash: (direct.data as { contentHash: string }).contentHash,
          },
        } as BroadcastEvent,
      ]);
    given([directRequested!])
      .when(resolve(0, 7))
      .then([resolvedEvent(0, 7)]);
    given([directRequested!]).when(resolve(0, 8)).thenThrows('invalid');
    given([directRequested!])
      .when(resolve(0, 6, 7))
      .thenThrows('invalid');
  });
});

describe('pending → sending → sent', () => {
  it('dispatches once with the recipients resolved', () => {
    given(twoBatches).when(dispatch).then([dispatched]);
    given([...twoBatches, dispatched])
      .when(dispatch)
      .then([]);
  });

  it('dispatches a broadcast without recipients, and completes it at once', () => {
    const none: BroadcastEvent = {
      type: 'BroadcastDispatched',
      data: { broadcastId, clientId, recipientCount: 0 },
    };
    given([requested]).when(dispatch).then([none]);
    given([requested, none])
      .when(complete)
      .then([{ type: 'BroadcastCompleted', data: { broadcastId, clientId, delivered: 0, failed: 0 } }]);
  });

  it('settles batches in order, once each, and completes with their counts', () => {
    const sending = [...twoBatches, dispatched];
    given(sending)
      .when(settle(0, 1, 1))
      .then([settledEvent(0, 1, 1)]);
    given([...sending, settledEvent(0, 1, 1)])
      .when(settle(0, 1, 1))
      .then([]);
    given([...sending, settledEvent(0, 1, 1)])
      .when(settle(1, 1, 0))
      .then([settledEvent(1, 1, 0)]);
    given([...sending, settledEvent(0, 1, 1), settledEvent(1, 1, 0)])
      .when(complete)
      .then([{ type: 'BroadcastCompleted', data: { broadcastId, clientId, delivered: 2, failed: 1 } }]);
  });

  it('refuses to settle before dispatch, out of order, beyond the batches or the recipients', () => {
    given(twoBatches)
      .when(settle(0, 2, 0))
      .thenThrows('invalid');
    given([...twoBatches, dispatched])
      .when(settle(1, 1, 0))
      .thenThrows('invalid');
    given([...twoBatches, dispatched, settledEvent(0, 2, 0), settledEvent(1, 1, 0)])
      .when(settle(2, 1, 0))
      .thenThrows('invalid');
    given([...twoBatches, dispatched])
      .when(settle(0, 3, 1))
      .thenThrows('invalid');
  });

  it('refuses to complete before every batch settled; completing again changes nothing', () => {
    given(twoBatches).when(complete).thenThrows('invalid');
    given([...twoBatches, dispatched, settledEvent(0, 2, 0)])
      .when(complete)
      .thenThrows('invalid');
    const completed: BroadcastEvent = {
      type: 'BroadcastCompleted',
      data: { broadcastId, clientId, delivered: 3, failed: 0 },
    };
    const done = [...twoBatches, dispatched, settledEvent(0, 2, 0), settledEvent(1, 1, 0), completed];
    given(done).when(complete).then([]);
    expect(foldState(broadcastDecider, done)).toMatchObject({ status: 'sent', delivered: 3, failed: 0 });
  });
});

describe('tenancy', () => {
  it('answers another tenant as if the broadcast did not exist', () => {
    for (const command of [resolve(0, 1), dispatch, settle(0, 1, 0), complete]) {
      given([]).when(command).thenThrows('not_found');
      const foreign = {
        ...command,
        data: { ...command.data, clientId: ids.otherClient },
      } as BroadcastCommand;
      given([requested]).when(foreign).thenThrows('not_found');
    }
  });
});
