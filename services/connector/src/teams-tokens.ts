import { createHash } from 'node:crypto';
import {
  interpretTeamsTokenAnswer,
  renderTeamsTokenRequest,
  type TeamsConfig,
  type TeamsTokenOutcome,
} from '@switchboard/channel-teams';
import type { ProviderTransport } from './provider-transport.js';

/** Tokens are renewed this long before Entra says they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * The Teams bot's outbound tokens (client credentials against Entra ID, at a configurable login base
 * URL): one per bot registration, cached until shortly before it expires, fetched once however many
 * deliveries ask at the same moment, and forgotten when the Bot Connector refuses it.
 */
export class TeamsTokens {
  readonly #cache = new Map<string, Promise<TeamsTokenOutcome & { expiresAt?: number }>>();

  constructor(
    private readonly login: ProviderTransport,
    private readonly now: () => number = Date.now,
  ) {}

  async token(config: TeamsConfig): Promise<TeamsTokenOutcome> {
    const key = cacheKey(config);
    const cached = this.#cache.get(key);
    if (cached) {
      const outcome = await cached;
      if (outcome.kind === 'token' && (outcome.expiresAt ?? 0) > this.now()) return outcome;
      if (this.#cache.get(key) === cached) this.#cache.delete(key);
      if (outcome.kind === 'token') return this.token(config);
    }
    const pending = this.#fetch(config);
    this.#cache.set(key, pending);
    const outcome = await pending;
    // Only a token is worth keeping; a refusal is asked again on the next delivery.
    if (outcome.kind !== 'token' && this.#cache.get(key) === pending) this.#cache.delete(key);
    return outcome;
  }

  forget(config: TeamsConfig): void {
    this.#cache.delete(cacheKey(config));
  }

  async #fetch(config: TeamsConfig): Promise<TeamsTokenOutcome & { expiresAt?: number }> {
    const result = await this.login.call(renderTeamsTokenRequest(config), {});
    if (result.kind === 'no-answer') return { kind: 'retry', reason: `token request: ${result.reason}` };
    const outcome = interpretTeamsTokenAnswer(result.response);
    if (outcome.kind !== 'token') return { ...outcome, reason: `token request: ${outcome.reason}` };
    const lifetime = outcome.expiresInSeconds * 1000;
    return { ...outcome, expiresAt: this.now() + lifetime - Math.min(RENEW_BEFORE_MS, lifetime / 2) };
  }
}

function cacheKey(config: TeamsConfig): string {
  return createHash('sha256')
    .update(JSON.stringify([config.appId, config.tenantId ?? '', config.appPassword]))
    .digest('hex');
}
