import { JsonWebKeySet } from '@switchboard/channel-teams';
import { fitsSchema } from '@switchboard/contracts';
import type { Logger } from '@switchboard/telemetry';

/** Keys are fetched again after this long, and at most this often when an unknown key shows up. */
const MAX_AGE_MS = 24 * 60 * 60_000;
const MIN_REFETCH_MS = 60_000;
const TIMEOUT_MS = 5_000;

/**
 * The Bot Connector's signing keys: the OpenID metadata (a configurable URL) names `jwks_uri`, which
 * lists them. Fetched on the first Teams webhook, kept a day, and fetched again (at most once a
 * minute) when a token names a key we do not have: Microsoft rotates them.
 */
export class TeamsKeys {
  #keys: JsonWebKeySet | undefined;
  #fetchedAt = 0;
  #pending: Promise<JsonWebKeySet | undefined> | undefined;

  constructor(
    private readonly metadataUrl: string,
    private readonly logger: Logger,
  ) {}

  async current(): Promise<JsonWebKeySet | undefined> {
    if (this.#keys && Date.now() - this.#fetchedAt < MAX_AGE_MS) return this.#keys;
    return this.#fetch();
  }

  /** After a token signed with an unknown key: the newest keys, unless they were fetched just now. */
  async refreshed(): Promise<JsonWebKeySet | undefined> {
    if (Date.now() - this.#fetchedAt < MIN_REFETCH_MS) return this.#keys;
    return this.#fetch();
  }

  #fetch(): Promise<JsonWebKeySet | undefined> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #load(): Promise<JsonWebKeySet | undefined> {
    try {
      const metadata = (await getJson(this.metadataUrl)) as { jwks_uri?: unknown } | undefined;
      if (typeof metadata?.jwks_uri !== 'string') throw new Error('OpenID metadata without jwks_uri');
      const keys = await getJson(metadata.jwks_uri);
      if (!fitsSchema(JsonWebKeySet, keys)) throw new Error('jwks_uri did not answer a key set');
      this.#keys = keys as JsonWebKeySet;
    } catch (err) {
      // Keep the keys we had: a failed refresh must not lock out every Teams webhook.
      this.logger.warn({ err, url: this.metadataUrl }, 'Bot Framework signing keys not fetched');
    }
    this.#fetchedAt = Date.now();
    return this.#keys;
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
