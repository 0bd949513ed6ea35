import { describe, expect, it } from 'vitest';
import { broadcastContentHash, broadcastIdOf } from '../broadcast-terms.js';
import { commandAggregate, commandStream } from '../command-routing.js';
import { deliveryIdOf } from '../delivery-terms.js';
import { streams } from '../streams.js';
import { type Command, type CommandType, commandIssues, commandSchemas } from './index.js';

const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';
const userId = '1c6f2b4d-9e30-4d58-8b72-3a2e8fac4d61';
const conversationId = '2d703c5e-af41-4e69-9c83-4b3f90bd5e72';
const messageId = '3e814d6f-b052-4f7a-8d94-5c40a1ce6f83';
const webhookId = '4f925e70-c163-408b-9ea5-6d51b2df7094';
const tokenHash = 'ab'.repeat(32);
const sealed = 'v1.aXY.dGFn.Ym9keQ';
const fingerprint = 'hmac-0123456789abcdef';
const endpoint = {
  channel: { name: 'telegram', version: '1.0.0' },
  identity: '*',
  sender: '42',
  thread: '*',
};
const deliveryId = deliveryIdOf(messageId, endpoint);
const broadcastId = broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXg');
const terms = { scopes: ['openid', 'offline_access'], channels: ['notifications'], nickname: 'Fred' };
const broadcastRequest = {
  channel: 'notifications',
  audience: { kind: 'topic' as const },
  content: { title: 'Here is your reminder', link: { uri: 'https://example.com/notes/1' } },
};
const recipient = { broadcastId, clientId, userId };

/** One well-formed command of every type. */
const samples: { [Type in CommandType]: Extract<Command, { type: Type }> } = {
  CreateClient: { type: 'CreateClient', data: { clientId, tokenHash } },
  RenameClient: { type: 'RenameClient', data: { clientId, name: 'Acme' } },
  RotateClientToken: { type: 'RotateClientToken', data: { clientId, tokenHash } },
  ConfigureChannel: {
    type: 'ConfigureChannel',
    data: { clientId, channel: 'telegram', enabled: true, sealedConfig: sealed, fingerprint },
  },
  RemoveChannel: { type: 'RemoveChannel', data: { clientId, channel: 'telegram' } },
  AddWebhook: {
    type: 'AddWebhook',
    data: { clientId, webhookId, url: 'https://example.com/hook', sealedToken: sealed },
  },
  RemoveWebhook: { type: 'RemoveWebhook', data: { clientId, webhookId } },
  SyncClientConfiguration: {
    type: 'SyncClientConfiguration',
    data: {
      clientId,
      channels: { telegram: { enabled: true, sealedConfig: sealed, fingerprint } },
      webhooks: [{ webhookId, url: 'https://example.com/hook', sealedToken: sealed }],
    },
  },
  CreateUser: { type: 'CreateUser', data: { userId, clientId, externalIds: { email: 'a@example.com' } } },
  StartConversation: {
    type: 'StartConversation',
    data: { conversationId, clientId, userId, kind: 'direct', endpoint },
  },
  LinkEndpoint: { type: 'LinkEndpoint', data: { conversationId, clientId, endpoint } },
  PostMessage: {
    type: 'PostMessage',
    data: {
      messageId,
      conversationId,
      clientId,
      authorId: null,
      payload: { type: 'text', text: 'hi' },
      source: 'api',
    },
  },
  RemoveMessage: { type: 'RemoveMessage', data: { conversationId, clientId, messageId, sequence: 3 } },
  ClearMessages: { type: 'ClearMessages', data: { conversationId, clientId } },
  ArchiveConversation: { type: 'ArchiveConversation', data: { conversationId, clientId } },
  RequestDelivery: {
    type: 'RequestDelivery',
    data: { deliveryId, clientId, messageId, conversationId, endpoint },
  },
  RecordDeliverySent: {
    type: 'RecordDeliverySent',
    data: { deliveryId, clientId, providerMessageIds: ['42', '43'] },
  },
  RecordDeliveryStatus: {
    type: 'RecordDeliveryStatus',
    data: { deliveryId, clientId, status: 'failed', reason: 'Bad Request: chat not found', retryable: false },
  },
  GrantConnection: { type: 'GrantConnection', data: { userId, clientId, ...terms } },
  RevokeConnection: { type: 'RevokeConnection', data: { userId, clientId } },
  RequestBroadcast: {
    type: 'RequestBroadcast',
    data: {
      broadcastId,
      clientId,
      outboundMessageId: 'LzIX47-iIDVpNmnbXqCYXg',
      ...broadcastRequest,
      contentHash: broadcastContentHash(broadcastRequest),
    },
  },
  RecordRecipientsResolved: {
    type: 'RecordRecipientsResolved',
    data: { broadcastId, clientId, batch: 0, userIds: [userId] },
  },
  DispatchBroadcast: { type: 'DispatchBroadcast', data: { broadcastId, clientId } },
  RecordRecipientsSettled: {
    type: 'RecordRecipientsSettled',
    data: { broadcastId, clientId, batch: 0, delivered: 1, failed: 0 },
  },
  CompleteBroadcast: { type: 'CompleteBroadcast', data: { broadcastId, clientId } },
  StartRecipientDelivery: {
    type: 'StartRecipientDelivery',
    data: { ...recipient, outboundMessageId: 'LzIX47-iIDVpNmnbXqCYXg', channel: 'notifications' },
  },
  RecordRecipientDelivered: { type: 'RecordRecipientDelivered', data: recipient },
  RecordRecipientFailed: { type: 'RecordRecipientFailed', data: { ...recipient, reason: 'channel_revoked' } },
};

describe('command schemas', () => {
  it('accept a well-formed command of every type', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(commandSchemas).sort());
    for (const command of Object.values(samples)) {
      expect(commandIssues(command.type, command.data), command.type).toEqual([]);
    }
  });

  it('refuse an unknown command type', () => {
    expect(commandIssues('DropDatabase', {})).toEqual([
      { path: '/type', message: 'unknown command type "DropDatabase"' },
    ]);
  });

  it('refuse ids that are not UUIDs', () => {
    const issues = commandIssues('ClearMessages', { conversationId: 'abc', clientId });
    expect(issues.map((issue) => issue.path)).toEqual(['/conversationId']);
  });

  it('refuse a clear token where a token hash belongs', () => {
    const clearToken = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';
    const issues = commandIssues('CreateClient', { clientId, tokenHash: clearToken });
    expect(issues.map((issue) => issue.path)).toEqual(['/tokenHash']);
  });

  it('refuse a clear secret where a sealed one belongs', () => {
    const channelIssues = commandIssues('ConfigureChannel', {
      ...samples.ConfigureChannel.data,
      sealedConfig: '{"botToken":"123:abc"}',
    });
    expect(channelIssues.map((issue) => issue.path)).toEqual(['/sealedConfig']);
    const webhookIssues = commandIssues('AddWebhook', {
      ...samples.AddWebhook.data,
      sealedToken: 'plain-token',
    });
    expect(webhookIssues.map((issue) => issue.path)).toEqual(['/sealedToken']);
  });

  it('refuse a webhook URL that is not http(s)', () => {
    for (const url of ['ftp://example.com/hook', 'not a url', 'javascript:alert(1)']) {
      const issues = commandIssues('AddWebhook', { ...samples.AddWebhook.data, url });
      expect(
        issues.map((issue) => issue.path),
        url,
      ).toContain('/url');
    }
  });

  it('refuse badly named channels, also as keys of a sync', () => {
    expect(commandIssues('RemoveChannel', { clientId, channel: 'Tele gram' }).length).toBeGreaterThan(0);
    const sync = samples.SyncClientConfiguration.data;
    const issues = commandIssues('SyncClientConfiguration', {
      ...sync,
      channels: { ...sync.channels, 'Not A Name': sync.channels.telegram },
    });
    expect(issues.length).toBeGreaterThan(0);
  });

  it('refuse a payload without a type, but leave its content to validatePayload', () => {
    const post = samples.PostMessage.data;
    expect(commandIssues('PostMessage', { ...post, payload: { text: 'no type' } }).length).toBeGreaterThan(0);
    expect(commandIssues('PostMessage', { ...post, payload: { type: 'text', text: 7 } })).toEqual([]);
  });

  it('refuse an unknown conversation kind and message source', () => {
    const start = samples.StartConversation.data;
    expect(commandIssues('StartConversation', { ...start, kind: 'private' }).length).toBeGreaterThan(0);
    const post = samples.PostMessage.data;
    expect(commandIssues('PostMessage', { ...post, source: 'email' }).length).toBeGreaterThan(0);
  });

  it('refuse a sequence that is not a positive integer', () => {
    for (const sequence of [0, -1, 1.5, '2']) {
      const issues = commandIssues('RemoveMessage', { ...samples.RemoveMessage.data, sequence });
      expect(
        issues.map((issue) => issue.path),
        String(sequence),
      ).toEqual(['/sequence']);
    }
  });
});

describe('delivery commands', () => {
  it('refuse a status that is not reported after a send, and a delivery id of another shape', () => {
    const status = samples.RecordDeliveryStatus.data;
    expect(commandIssues('RecordDeliveryStatus', { ...status, status: 'sent' }).length).toBeGreaterThan(0);
    expect(commandIssues('RecordDeliveryStatus', { ...status, status: 'queued' }).length).toBeGreaterThan(0);
    const issues = commandIssues('RecordDeliverySent', { deliveryId: messageId, clientId });
    expect(issues.map((issue) => issue.path)).toEqual(['/deliveryId']);
  });
});

describe('broadcast and connection commands', () => {
  it('refuse topics, scopes and outbound message ids of other shapes', () => {
    const grant = samples.GrantConnection.data;
    const issues = commandIssues('GrantConnection', { ...grant, scopes: ['has space'], channels: ['a/b'] });
    expect(issues.map((issue) => issue.path)).toEqual(['/scopes/0', '/channels/0']);
    const request = samples.RequestBroadcast.data;
    expect(
      commandIssues('RequestBroadcast', { ...request, outboundMessageId: 'not allowed!' }).map((i) => i.path),
    ).toEqual(['/outboundMessageId']);
  });

  it('refuse a batch of recipients that is empty or too large', () => {
    const batch = samples.RecordRecipientsResolved.data;
    expect(commandIssues('RecordRecipientsResolved', { ...batch, userIds: [] }).length).toBeGreaterThan(0);
    const tooMany = Array.from({ length: 1001 }, () => userId);
    expect(commandIssues('RecordRecipientsResolved', { ...batch, userIds: tooMany }).length).toBeGreaterThan(
      0,
    );
  });
});

describe('command routing', () => {
  it('decides each command on its aggregate stream', () => {
    for (const command of Object.values(samples)) {
      const aggregate = commandAggregate[command.type];
      const expected =
        aggregate === 'recipient'
          ? streams.recipient(broadcastId, userId)
          : streams[aggregate](
              {
                client: clientId,
                user: userId,
                conversation: conversationId,
                delivery: deliveryId,
                broadcast: broadcastId,
              }[aggregate],
            );
      expect(commandStream(command), command.type).toBe(expected);
    }
  });
});
