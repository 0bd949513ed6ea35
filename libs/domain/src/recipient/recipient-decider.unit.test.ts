import { broadcastIdOf, type RecipientCommand, type RecipientEvent } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState } from '../decider.js';
import { deciderSpec } from '../testing/decider-spec.js';
import { ids } from '../testing/fixtures.js';
import { recipientDecider } from './recipient-decider.js';

const { given } = deciderSpec(recipientDecider);
const clientId = ids.client;
const broadcastId = broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXg');
const key = { broadcastId, clientId, userId: ids.user };
const facts = { ...key, outboundMessageId: 'LzIX47-iIDVpNmnbXqCYXg', channel: 'notifications' };

const start: RecipientCommand = { type: 'StartRecipientDelivery', data: facts };
const deliver: RecipientCommand = { type: 'RecordRecipientDelivered', data: key };
const fail: RecipientCommand = { type: 'RecordRecipientFailed', data: { ...key, reason: 'channel_revoked' } };
const started: RecipientEvent = { type: 'RecipientDeliveryStarted', data: facts };
const delivered: RecipientEvent = { type: 'RecipientDelivered', data: facts };
const failed: RecipientEvent = { type: 'RecipientFailed', data: { ...facts, reason: 'channel_revoked' } };

describe('recipient delivery: delivering → delivered | failed', () => {
  it('starts delivering once', () => {
    given([]).when(start).then([started]);
    given([started]).when(start).then([]);
    expect(foldState(recipientDecider, [started])).toMatchObject({ status: 'delivering' });
  });

  it('finishes once, delivered or failed, and never changes its outcome', () => {
    given([started]).when(deliver).then([delivered]);
    given([started]).when(fail).then([failed]);
    for (const finished of [delivered, failed]) {
      given([started, finished]).when(deliver).then([]);
      given([started, finished]).when(fail).then([]);
    }
    expect(foldState(recipientDecider, [started, failed])).toMatchObject({
      status: 'failed',
      reason: 'channel_revoked',
    });
  });

  it('refuses to finish a delivery that never started, or another tenant’s', () => {
    given([]).when(deliver).thenThrows('not_found');
    const foreign = { ...deliver, data: { ...key, clientId: ids.otherClient } } as RecipientCommand;
    given([started]).when(foreign).thenThrows('not_found');
    const foreignStart = { ...start, data: { ...facts, clientId: ids.otherClient } } as RecipientCommand;
    given([started]).when(foreignStart).thenThrows('conflict');
  });
});
