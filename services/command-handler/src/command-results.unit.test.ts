import { DomainError } from '@switchboard/domain';
import { describe, expect, it } from 'vitest';
import { commandResult, domainErrorReply, resultDetails } from './command-results.js';

const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';
const conversationId = '2d703c5e-af41-4e69-9c83-4b3f90bd5e72';

describe('resultDetails', () => {
  it('given a clear that emitted MessagesCleared, answers its count', () => {
    const details = resultDetails(
      { type: 'ClearMessages', data: { clientId, conversationId } },
      [{ type: 'MessagesCleared', data: { clientId, conversationId, upToSequence: 7, count: 5 } }],
      {},
    );
    expect(details).toEqual({ count: 5 });
  });

  it('given a clear that emitted nothing, answers a count of 0', () => {
    expect(resultDetails({ type: 'ClearMessages', data: { clientId, conversationId } }, [], {})).toEqual({
      count: 0,
    });
  });

  it("given a sync, answers the client's effective webhooks from the state after it", () => {
    const details = resultDetails(
      { type: 'SyncClientConfiguration', data: { clientId, channels: {}, webhooks: [] } } as never,
      [],
      {
        status: 'active',
        clientId,
        name: null,
        channels: {},
        webhooks: { w1: { url: 'https://example.com/hook', sealedToken: 'v1.x.y.z' } },
      },
    );
    expect(details).toEqual({
      webhooks: [{ webhookId: 'w1', url: 'https://example.com/hook', sealedToken: 'v1.x.y.z' }],
    });
  });
});

describe('commandResult', () => {
  it('writes bigints as decimal strings and keeps the details', () => {
    const position = { commit: 2n ** 63n + 5n, prepare: 42n };
    expect(commandResult(position, 3n, { count: 2 })).toEqual({
      count: 2,
      position: { commit: '9223372036854775813', prepare: '42' },
      revision: '3',
    });
    expect(commandResult(position, 0n, null)).toEqual({
      position: { commit: '9223372036854775813', prepare: '42' },
      revision: '0',
    });
  });
});

describe('domainErrorReply', () => {
  it('maps each domain error code to its reply', () => {
    expect(domainErrorReply(new DomainError('not_found', 'conversation not found'))).toEqual({
      status: 'not_found',
      message: 'conversation not found',
    });
    expect(domainErrorReply(new DomainError('conflict', 'exists', { id: 1 }))).toEqual({
      status: 'conflict',
      message: 'exists',
      details: { id: 1 },
    });
    expect(domainErrorReply(new DomainError('invalid', 'bad payload', { issues: [] }))).toEqual({
      status: 'rejected',
      code: 'invalid',
      message: 'bad payload',
      details: { issues: [] },
    });
    expect(domainErrorReply(new DomainError('forbidden', 'no'))).toEqual({
      status: 'rejected',
      code: 'forbidden',
      message: 'no',
    });
  });
});
