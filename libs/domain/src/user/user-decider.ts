import type { UserCommand, UserEvent } from '@switchboard/contracts';
import type { DecideContext, Decider } from '../decider.js';
import { DomainError } from '../domain-error.js';

/** A user's state: only what later commands on the user will need to check. */
export type UserState = { status: 'none' } | { status: 'active'; userId: string; clientId: string };

/** Stream `user-<id>`: a person known to one client. */
export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ status: 'none' }),

  decide(command: UserCommand, state: UserState, _ctx: DecideContext): UserEvent[] {
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
      default: {
        const unhandled: never = command.type;
        throw new Error(`user decider cannot decide ${unhandled}`);
      }
    }
  },

  evolve(_state: UserState, event: UserEvent): UserState {
    switch (event.type) {
      case 'UserCreated':
        return { status: 'active', userId: event.data.userId, clientId: event.data.clientId };
      default: {
        const unhandled: never = event.type;
        throw new Error(`user decider cannot apply ${unhandled}`);
      }
    }
  },
};
