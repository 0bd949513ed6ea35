import type { UserEvent } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState } from '../decider.js';
import { deciderSpec, specNow } from '../testing/decider-spec.js';
import { ids } from '../testing/fixtures.js';
import { recipientVerdict } from './connection.js';
import { userDecider } from './user-decider.js';

const { given } = deciderSpec(userDecider);
const userId = ids.user;
const clientId = ids.client;
const at = specNow.toISOString();
const created: UserEvent = { type: 'UserCreated', data: { userId, clientId } };
const terms = {
  scopes: ['openid', 'offline_access', 'contact', 'nickname'],
  channels: ['_meta', 'notifications', 'product_updates'],
  nickname: 'Fred',
};
const granted: UserEvent = { type: 'ConnectionGranted', data: { userId, clientId, ...terms, at } };
const revoked: UserEvent = { type: 'ConnectionRevoked', data: { userId, clientId, at } };
const withoutUpdates = { ...terms, channels: ['_meta', 'notifications'] };

describe('GrantConnection', () => {
  it('grants a first connection with the terms given', () => {
    given([created])
      .when({ type: 'GrantConnection', data: { userId, clientId, ...terms } })
      .then([granted]);
  });

  it('keeps the order of scopes and channels and drops repeats', () => {
    given([created])
      .when({
        type: 'GrantConnection',
        data: {
          userId,
          clientId,
          ...terms,
          scopes: ['openid', 'openid', 'offline_access'],
          channels: ['b', 'a', 'b'],
        },
      })
      .then([
        {
          type: 'ConnectionGranted',
          data: {
            userId,
            clientId,
            ...terms,
            scopes: ['openid', 'offline_access'],
            channels: ['b', 'a'],
            at,
          },
        },
      ]);
  });

  it('updates an active connection granted again with other terms, and changes nothing with the same', () => {
    given([created, granted])
      .when({ type: 'GrantConnection', data: { userId, clientId, ...withoutUpdates } })
      .then([{ type: 'ConnectionUpdated', data: { userId, clientId, ...withoutUpdates, at } }]);
    given([created, granted])
      .when({ type: 'GrantConnection', data: { userId, clientId, ...terms } })
      .then([]);
  });

  it('grants anew after a revoke', () => {
    given([created, granted, revoked])
      .when({ type: 'GrantConnection', data: { userId, clientId, ...terms } })
      .then([granted]);
  });

  it('refuses a user that does not exist or is another client’s', () => {
    given([])
      .when({ type: 'GrantConnection', data: { userId, clientId, ...terms } })
      .thenThrows('not_found');
    given([created])
      .when({ type: 'GrantConnection', data: { userId, clientId: ids.otherClient, ...terms } })
      .thenThrows('not_found');
  });
});

describe('RevokeConnection', () => {
  it('revokes once; revoking again changes nothing', () => {
    given([created, granted]).when({ type: 'RevokeConnection', data: { userId, clientId } }).then([revoked]);
    given([created, granted, revoked])
      .when({ type: 'RevokeConnection', data: { userId, clientId } })
      .then([]);
  });

  it('refuses a user that never granted a connection', () => {
    given([created]).when({ type: 'RevokeConnection', data: { userId, clientId } }).thenThrows('not_found');
  });
});

describe('the connection in the user’s state', () => {
  it('keeps when it was first granted, across a revoke and a new grant, and when it last changed', () => {
    const later = (minutes: number) => new Date(specNow.getTime() + minutes * 60_000).toISOString();
    const state = foldState(userDecider, [
      created,
      granted,
      { type: 'ConnectionUpdated', data: { userId, clientId, ...withoutUpdates, at: later(1) } },
      { type: 'ConnectionRevoked', data: { userId, clientId, at: later(2) } },
      { type: 'ConnectionGranted', data: { userId, clientId, ...terms, at: later(3) } },
    ]);
    expect(state).toMatchObject({
      connection: { ...terms, revoked: false, createdAt: at, updatedAt: later(3) },
    });
  });
});

describe('recipientVerdict', () => {
  const state = (...events: UserEvent[]) => foldState(userDecider, events);

  it('delivers to a connection with offline access and the channel', () => {
    expect(recipientVerdict(state(created, granted), clientId, 'notifications')).toEqual({
      outcome: 'delivered',
    });
  });

  it('fails with channel_revoked when the channel is no longer granted', () => {
    const updated: UserEvent = {
      type: 'ConnectionUpdated',
      data: { userId, clientId, ...withoutUpdates, at },
    };
    expect(recipientVerdict(state(created, granted, updated), clientId, 'product_updates')).toEqual({
      outcome: 'failed',
      reason: 'channel_revoked',
    });
  });

  it('fails with connection_revoked after a revoke', () => {
    expect(recipientVerdict(state(created, granted, revoked), clientId, 'notifications')).toEqual({
      outcome: 'failed',
      reason: 'connection_revoked',
    });
  });

  it('fails with no_connection without a connection, offline access, or as another client', () => {
    const noOffline: UserEvent = {
      type: 'ConnectionUpdated',
      data: { userId, clientId, ...terms, scopes: ['openid'], at },
    };
    for (const [user, client] of [
      [state(), clientId],
      [state(created), clientId],
      [state(created, granted, noOffline), clientId],
      [state(created, granted), ids.otherClient],
    ] as const) {
      expect(recipientVerdict(user, client, 'notifications')).toEqual({
        outcome: 'failed',
        reason: 'no_connection',
      });
    }
  });
});
