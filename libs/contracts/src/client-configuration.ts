import { type Static, Type } from 'typebox';
import { limits } from './limits.js';
import { ChannelName, SealedSecret, WebhookId } from './values.js';

/**
 * A keyed digest (e.g. HMAC-SHA256 under a key held by the services) of a channel's clear
 * configuration, computed before sealing it. Sealing is randomised, so two sealings of the same
 * configuration differ: the fingerprint is what tells a changed configuration from an unchanged one.
 * A plain hash is not enough, as it would let anyone holding the events test guesses of a secret.
 */
export const ConfigFingerprint = Type.String({ pattern: '^[A-Za-z0-9_+/=-]{16,128}$' });
export type ConfigFingerprint = Static<typeof ConfigFingerprint>;

/** One channel as a client wants it: its sealed configuration (secrets included) and fingerprint. */
export const ChannelSetting = Type.Object({
  enabled: Type.Boolean(),
  sealedConfig: SealedSecret,
  fingerprint: ConfigFingerprint,
});
export type ChannelSetting = Static<typeof ChannelSetting>;

export const WebhookUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });
export type WebhookUrl = Static<typeof WebhookUrl>;

/**
 * One webhook as a client wants it. The id and sealed token are fresh ones made by the caller; they
 * are used only if the URL is new, an already registered URL keeps its own.
 */
export const WebhookSetting = Type.Object({
  webhookId: WebhookId,
  url: WebhookUrl,
  sealedToken: SealedSecret,
});
export type WebhookSetting = Static<typeof WebhookSetting>;

/** A client's whole desired configuration, as Botpress `/api/v1/sync` takes it. */
export const ClientConfiguration = Type.Object({
  channels: Type.Record(ChannelName, ChannelSetting, {
    additionalProperties: false,
    maxProperties: limits.channelsPerClient,
  }),
  webhooks: Type.Array(WebhookSetting, { maxItems: limits.webhooksPerClient }),
});
export type ClientConfiguration = Static<typeof ClientConfiguration>;
