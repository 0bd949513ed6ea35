import type { AnyChannelAdapter } from '@switchboard/channel-registry';
import type { TeamsConfig } from '@switchboard/channel-teams';
import type { ChannelAddress, Payload, ProviderRequest, TypingState } from '@switchboard/contracts';
import type { Pacer } from './pacing.js';
import type { ProviderTransport } from './provider-transport.js';
import { type DeliveryOutcome, type SendPlan, sendRequests } from './send-requests.js';
import type { TeamsTokens } from './teams-tokens.js';

export interface ChannelSenderDeps {
  channel: string;
  adapter: AnyChannelAdapter;
  transport: ProviderTransport;
  /** Teams only: the bot's outbound tokens. */
  teamsTokens?: TeamsTokens;
  pacing: { perBot: Pacer; perChat: Pacer };
  attempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  sleep(ms: number): Promise<void>;
}

type ChannelConfig = Record<string, unknown>;

/**
 * Everything one channel's outbound traffic needs beyond the adapter: rendering (with a fresh Teams
 * token in each request), pacing per bot and per chat, the provider calls and their retries.
 */
export class ChannelSender {
  constructor(private readonly deps: ChannelSenderDeps) {}

  /** Sends one payload to one address under one client's configuration. */
  async deliver(
    clientId: string,
    payload: Payload,
    address: ChannelAddress,
    config: ChannelConfig,
  ): Promise<DeliveryOutcome> {
    const { adapter, channel } = this.deps;
    let rendered: ProviderRequest[];
    try {
      rendered = adapter.render(payload, address, config);
    } catch (error) {
      return { kind: 'failed', reason: `cannot render for ${channel}: ${message(error)}`, retryable: false };
    }
    if (rendered.length === 0) {
      return {
        kind: 'failed',
        reason: `a ${payload.type} message has nothing ${channel} can show`,
        retryable: false,
      };
    }
    const plan: SendPlan = this.#withToken(
      rendered.length,
      (authorized) => adapter.render(payload, address, authorized),
      config,
    );
    return sendRequests(plan, {
      call: (request) => this.deps.transport.call(request, config),
      interpret: (response) => adapter.interpretSend(response),
      attempts: this.deps.attempts,
      retryInitialMs: this.deps.retryInitialMs,
      retryMaxMs: this.deps.retryMaxMs,
      pace: () => this.#pace(clientId, address),
      sleep: (ms) => this.deps.sleep(ms),
    });
  }

  /**
   * Shows or hides the typing indicator once, where the provider can; failures only cost the indicator.
   * `unsupported`: the provider has no such request (no indicator at all, or none to end one).
   */
  async typing(
    address: ChannelAddress,
    config: ChannelConfig,
    state: TypingState,
  ): Promise<'sent' | 'unsupported' | string> {
    const { adapter } = this.deps;
    if (!adapter.supportsTyping || adapter.renderTyping(address, config, state) === null)
      return 'unsupported';
    const plan = this.#withToken(
      1,
      (authorized) => {
        const request = adapter.renderTyping(address, authorized, state);
        return request ? [request] : [];
      },
      config,
    );
    const request = await plan.request(0);
    if ('kind' in request) return request.reason;
    const result = await this.deps.transport.call(request, config);
    if (result.kind === 'no-answer') return result.reason;
    const outcome = adapter.interpretSend(result.response);
    return outcome.kind === 'sent' ? 'sent' : outcome.reason;
  }

  /** The plan of `count` requests, rendered with the Teams token when the channel is Teams. */
  #withToken(
    count: number,
    render: (config: ChannelConfig) => ProviderRequest[],
    config: ChannelConfig,
  ): SendPlan {
    const tokens = this.deps.teamsTokens;
    if (!tokens) {
      const requests = render(config);
      return { count, request: async (index) => requests[index] ?? missing(index) };
    }
    const teams = config as unknown as TeamsConfig;
    return {
      count,
      request: async (index) => {
        const token = await tokens.token(teams);
        if (token.kind !== 'token') return token;
        return render({ ...config, accessToken: token.accessToken })[index] ?? missing(index);
      },
      unauthorized: () => {
        tokens.forget(teams);
        return true;
      },
    };
  }

  async #pace(clientId: string, address: ChannelAddress): Promise<void> {
    const now = Date.now();
    const chat = address.thread !== '*' ? address.thread : address.sender;
    const wait = Math.max(
      this.deps.pacing.perBot.reserve(clientId, now),
      this.deps.pacing.perChat.reserve(`${clientId}:${chat}`, now),
    );
    await this.deps.sleep(wait);
  }
}

function missing(index: number) {
  return { kind: 'failed' as const, reason: `rendering changed: no request ${index}` };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
