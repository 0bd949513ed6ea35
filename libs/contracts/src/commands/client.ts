import { type Static, Type } from 'typebox';
import { ChannelSetting, ClientConfiguration, WebhookSetting } from '../client-configuration.js';
import { ChannelName, ClientId, ClientName, TokenHash, WebhookId } from '../values.js';

/** Creates a client (a tenant), optionally with its first configuration in the same step. */
export const CreateClientData = Type.Object({
  clientId: ClientId,
  name: Type.Optional(ClientName),
  tokenHash: TokenHash,
  configuration: Type.Optional(ClientConfiguration),
});
export type CreateClientData = Static<typeof CreateClientData>;

/** Renames a client; `null` clears the name. */
export const RenameClientData = Type.Object({
  clientId: ClientId,
  name: Type.Union([ClientName, Type.Null()]),
});
export type RenameClientData = Static<typeof RenameClientData>;

export const RotateClientTokenData = Type.Object({ clientId: ClientId, tokenHash: TokenHash });
export type RotateClientTokenData = Static<typeof RotateClientTokenData>;

/** Configures one channel, or changes its configuration. */
export const ConfigureChannelData = Type.Object({
  clientId: ClientId,
  channel: ChannelName,
  ...ChannelSetting.properties,
});
export type ConfigureChannelData = Static<typeof ConfigureChannelData>;

export const RemoveChannelData = Type.Object({ clientId: ClientId, channel: ChannelName });
export type RemoveChannelData = Static<typeof RemoveChannelData>;

export const AddWebhookData = Type.Object({ clientId: ClientId, ...WebhookSetting.properties });
export type AddWebhookData = Static<typeof AddWebhookData>;

export const RemoveWebhookData = Type.Object({ clientId: ClientId, webhookId: WebhookId });
export type RemoveWebhookData = Static<typeof RemoveWebhookData>;

/**
 * Brings a client's channels and webhooks to the given configuration; the decider emits only the
 * differences (Botpress `/api/v1/sync`).
 */
export const SyncClientConfigurationData = Type.Object({
  clientId: ClientId,
  ...ClientConfiguration.properties,
});
export type SyncClientConfigurationData = Static<typeof SyncClientConfigurationData>;

export const clientCommandSchemas = {
  CreateClient: CreateClientData,
  RenameClient: RenameClientData,
  RotateClientToken: RotateClientTokenData,
  ConfigureChannel: ConfigureChannelData,
  RemoveChannel: RemoveChannelData,
  AddWebhook: AddWebhookData,
  RemoveWebhook: RemoveWebhookData,
  SyncClientConfiguration: SyncClientConfigurationData,
} as const;
