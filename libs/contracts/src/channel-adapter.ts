import type { TObject } from 'typebox';
import type { Payload } from './payloads.js';

/**
 * What every channel package (`libs/channels/<name>`) implements: everything that knows one provider,
 * and nothing else. Pure functions over plain data — no HTTP client, no clock, no randomness — so the
 * gateway (inbound), the connectors (outbound) and the tests all drive the same code.
 */

/** An inbound HTTP request as the gateway received it. */
export interface InboundRequest {
  method: 'GET' | 'POST';
  /** The public URL the provider called, query included (Twilio signs it). */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The body exactly as received: signatures are computed over these bytes. */
  rawBody: Buffer;
}

/** Seconds since the epoch, passed in so verification stays pure (timestamp windows). */
export interface VerifyContext {
  nowSeconds: number;
}

export type VerifyResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** An HTTP answer the gateway sends as it is (handshakes, provider-specific acknowledgements). */
export interface DirectResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Who is talking, in the Botpress endpoint convention: (channel, identity, sender, thread). */
export interface ChannelAddress {
  identity: string;
  sender: string;
  thread: string;
}

export type NormalizedInbound =
  | {
      kind: 'message';
      /** The provider's own id of this delivery (update id, event id, message SID): INBOX dedupe key. */
      providerEventId: string;
      address: ChannelAddress;
      /** Our typed payload: text, quick reply / postback (as text with `value`), media, location. */
      payload: Payload;
      /** The provider's message id, when it has one. */
      providerMessageId?: string;
      receivedAt?: string;
    }
  | {
      kind: 'status';
      providerEventId: string;
      /** The provider's id of the message we sent. */
      providerMessageId: string;
      status: 'delivered' | 'read' | 'failed';
      reason?: string;
      at?: string;
    };

/** A request to the provider's API, relative to its configured base URL. */
export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: { kind: 'json'; value: unknown } | { kind: 'form'; value: Record<string, string> };
}

export type TypingState = 'on' | 'off';

/** How the connector should treat the provider's answer to one request. */
export type SendOutcome =
  | { kind: 'sent'; providerMessageId?: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'failed'; reason: string };

export interface ProviderResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface ChannelAdapter<Config = Record<string, unknown>> {
  /** The name used in sync's `channels` and in endpoints, e.g. `telegram`. */
  readonly name: string;
  /** TypeBox schema of the client's configuration for this channel; secret fields carry `secret: true`. */
  readonly configSchema: TObject;
  /** Names of the configuration fields that are secrets (never returned, never logged). */
  readonly secretFields: readonly string[];
  /** Whether the provider can show a typing indicator. */
  readonly supportsTyping: boolean;
  /** Answers a provider's set-up handshake (Slack `url_verification`, Messenger `hub.challenge`), if this is one. */
  handshake(request: InboundRequest, config: Config): DirectResponse | null;
  /** Checks the provider's own signature scheme (constant-time, timestamp windows). */
  verify(request: InboundRequest, config: Config, ctx: VerifyContext): VerifyResult;
  /** Turns a verified webhook into normalized inbound messages and status updates. */
  parse(request: InboundRequest, config: Config): NormalizedInbound[];
  /** The answer the provider expects to a handled webhook (most want a bare 200). */
  acknowledge(request: InboundRequest, config: Config): DirectResponse;
  /**
   * Renders one of our payloads into the provider requests that send it to `address` (several for
   * e.g. a carousel on a channel without carousels). Choices become numbered text where the provider
   * has no buttons.
   */
  render(payload: Payload, address: ChannelAddress, config: Config): ProviderRequest[];
  /**
   * The request that shows (`on`) or hides (`off`) the typing indicator, when the provider has one.
   * Providers whose indicator times out by itself (Telegram, Teams) have nothing for `off`.
   */
  renderTyping(address: ChannelAddress, config: Config, state: TypingState): ProviderRequest | null;
  /** Classifies the provider's answer: sent (with its message id), retry (429/5xx), or failed (its reason). */
  interpretSend(response: ProviderResponse): SendOutcome;
}
