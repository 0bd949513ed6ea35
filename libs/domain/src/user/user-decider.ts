import type { UserCommand, UserEvent } from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';
import { type ConnectionState, sameTerms, termsOf } from './connection.js';

/**
 * A user's state: only what later commands on the user, and deliveries to the user, need to check.
 * `connection` is the user's grant to the client (absent: never granted).
 */
export type UserState =
  | { status: 'none' }
  | { status: 'active'; userId: string; clientId: string; connection?: ConnectionState };

type ActiveUser = Extract<UserState, { status: 'active' }>;

/** Stream `user-<id>`: a person known to one client, and the connection the person granted it. */
export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ status: 'none' }),

  decide(command: UserCommand, state: UserState, ctx: DecideContext): UserEvent[] {
    switch (command.type) {
      case 'CreateUser': {
        // The id is taken whoever holds it; the answer says no more than that.
        if (state.status !== 'none') throw new DomainError('conflict', 'user already exists');
        const { userId, clientId, externalIds } = command.data;
        return [
          {
            type: 'UserCreated',
            data: externalIds === undefined ? { userId, clientId } : { userId, clientId, externalIds },
          },
        ];
      }
      case 'GrantConnection': {
        const user = activeUser(state, command.data.clientId);
        const terms = termsOf(command.data);
        const { userId, clientId } = user;
        const at = ctx.now.toISOString();
        if (!user.connection || user.connection.revoked) {
          return [{ type: 'ConnectionGranted', data: { userId, clientId, ...terms, at } }];
        }
        // Granted again with more or fewer terms: the connection is updated.
        if (sameTerms(user.connection, terms)) return [];
        return [{ type: 'ConnectionUpdated', data: { userId, clientId, ...terms, at } }];
      }
      case 'RevokeConnection': {
        const user = activeUser(state, command.data.clientId);
        if (!user.connection) throw new DomainError('not_found', 'connection not found');
        if (user.connection.revoked) return [];
        const { userId, clientId } = user;
        return [{ type: 'ConnectionRevoked', data: { userId, clientId, at: ctx.now.toISOString() } }];
      }
      default: {
        const unhandled: never = command;
        throw new Error(`user decider cannot decide ${(unhandled as UserCommand).type}`);
      }
    }
  },

  evolve(state: UserState, event: UserEvent): UserState {
    switch (event.type) {
      case 'UserCreated':
        return { status: 'active', userId: event.data.userId, clientId: event.data.clientId };
      case 'ConnectionGranted':
      case 'ConnectionUpdated': {
        if (state.status !== 'active') return state;
        const { scopes, channels, nickname, at } = event.data;
        const createdAt = state.connection?.createdAt ?? at;
        return {
          ...state,
          connection: { scopes, channels, nickname, revoked: false, createdAt, updatedAt: at },
        };
      }
      case 'ConnectionRevoked':
        if (state.status !== 'active' || !state.connection) return state;
        return { ...state, connection: { ...state.connection, revoked: true, updatedAt: event.data.at } };
      default: {
        const unhandled: never = event;
        throw new Error(`user decider cannot apply ${(unhandled as UserEvent).type}`);
      }
    }
  },
};

function activeUser(state: UserState, clientId: string): ActiveUser {
  // Another tenant's user is answered as if it did not exist.
  if (state.status !== 'active' || state.clientId !== clientId) {
    throw new DomainError('not_found', 'user not found');
  }
  return state;
}
