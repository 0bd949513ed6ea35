import { type Static, Type } from 'typebox';
import { ConfigFingerprint, WebhookUrl } from '../client-configuration.js';
import { ChannelName, ClientId, ClientName, SealedSecret, TokenHash, WebhookId } from '../values.js';

export const ClientCreatedData = Type.Object({
  clientId: ClientId,
  name: Type.Optional(ClientName),
  tokenHash: TokenHash,
});
export type ClientCreatedData = Static<typeof ClientCreatedData>;

export const ClientRenamedData = Type.Object({
  clientId: ClientId,
  name: Type.Union([ClientName, Type.Null()]),
});
export type ClientRenamedData = Static<typeof ClientRenamedData>;

export const ClientTokenRotatedData = Type.Object({ clientId: ClientId, tokenHash: TokenHash });
export type ClientTokenRotatedData = Static<typeof ClientTokenRotatedData>;

/** A channel configured or reconfigured; its configuration is sealed, secrets included. */
export const ChannelConfiguredData = Type.Object({
  clientId: ClientId,
  channel: ChannelName,
  enabled: Type.Boolean(),
  sealedConfig: SealedSecret,
  fingerprint: ConfigFingerprint,
});
export type ChannelConfiguredData = Static<typeof ChannelConfiguredData>;

export const ChannelRemovedData = Type.Object({ clientId: ClientId, channel: ChannelName });
export type ChannelRemovedData = Static<typeof ChannelRemovedData>;

/** The token is sealed, not hashed: it is handed back to the client on sync and signs deliveries. */
export const WebhookAddedData = Type.Object({
  clientId: ClientId,
  webhookId: WebhookId,
  url: WebhookUrl,
  sealedToken: SealedSecret,
});
export type WebhookAddedData = Static<typeof WebhookAddedData>;

export const WebhookRemovedData = Type.Object({ clientId: ClientId, webhookId: WebhookId, url: WebhookUrl });
export type WebhookRemovedData = Static<typeof WebhookRemovedData>;

export const clientEventSchemas = {
  ClientCreated: ClientCreatedData,
  ClientRenamed: ClientRenamedData,
  ClientTokenRotated: ClientTokenRotatedData,
  ChannelConfigured: ChannelConfiguredData,
  ChannelRemoved: ChannelRemovedData,
  WebhookAdded: WebhookAddedData,
  WebhookRemoved: WebhookRemovedData,
} as const;
