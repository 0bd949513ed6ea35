import { describe, it } from 'vitest';
import { deciderSpec } from '../testing/decider-spec.js';
import { ids } from '../testing/fixtures.js';
import { userDecider } from './user-decider.js';

const { given } = deciderSpec(userDecider);
const userId = ids.user;

describe('CreateUser', () => {
  it('creates a user of a client', () => {
    given([])
      .when({ type: 'CreateUser', data: { userId, clientId: ids.client } })
      .then([{ type: 'UserCreated', data: { userId, clientId: ids.client } }]);
  });

  it('keeps the ids the person is known by elsewhere', () => {
    const externalIds = { email: 'ana@example.com', phone: '+15145550000' };
    given([])
      .when({ type: 'CreateUser', data: { userId, clientId: ids.client, externalIds } })
      .then([{ type: 'UserCreated', data: { userId, clientId: ids.client, externalIds } }]);
  });

  it('refuses to create a user that exists, for its own tenant or another', () => {
    const existing = [{ type: 'UserCreated', data: { userId, clientId: ids.client } }] as const;
    given([...existing])
      .when({ type: 'CreateUser', data: { userId, clientId: ids.client } })
      .thenThrows('conflict');
    given([...existing])
      .when({ type: 'CreateUser', data: { userId, clientId: ids.otherClient } })
      .thenThrows('conflict');
  });
});
