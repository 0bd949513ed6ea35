import { TopicName } from '@switchboard/contracts';

/** The `pattern` of a contracts string schema, so the dialect checks ids exactly as the core does. */
export const patternOf = (schema: unknown): string => (schema as { pattern: string }).pattern;

/** Scopes a client's access token may carry besides channel scopes. */
export const CLIENT_SCOPES = [
  'client:connections',
  'client:send',
  'client:outbound_messages',
  'contact',
  'nickname',
] as const;

export type ClientScope = (typeof CLIENT_SCOPES)[number];

/** `channel:<name>` lets the token send on that channel; `channel:*` on every channel. */
export const CHANNEL_SCOPE_PREFIX = 'channel:';
export const ALL_CHANNELS = '*';

/** A communication channel's name, as connections grant them (`notifications`, `_meta`, …). */
export const CHANNEL_NAME = new RegExp(patternOf(TopicName));

/** What a verified access token allows. */
export interface Grant {
  scopes: ReadonlySet<ClientScope>;
  /** The channels the token may send on; `'*'` for all of them. */
  channels: ReadonlySet<string> | typeof ALL_CHANNELS;
}

export type ScopeResult = { ok: true; grant: Grant } | { ok: false; reason: string };

const isClientScope = (value: string): value is ClientScope =>
  (CLIENT_SCOPES as readonly string[]).includes(value);

/**
 * Parses the `scope` of a token request (RFC 6749 §3.3: space-separated, order irrelevant). No scope
 * at all grants everything; an unknown scope or a malformed channel name is refused, never dropped,
 * so that a client does not believe it holds a scope it does not.
 */
export function parseRequestedScope(requested: string | undefined): ScopeResult {
  if (requested === undefined) {
    return { ok: true, grant: { scopes: new Set(CLIENT_SCOPES), channels: ALL_CHANNELS } };
  }
  const tokens = requested.split(' ').filter((t) => t.length > 0);
  if (tokens.length === 0) return { ok: false, reason: 'scope is empty' };
  const scopes = new Set<ClientScope>();
  const channels = new Set<string>();
  let allChannels = false;
  for (const token of tokens) {
    if (isClientScope(token)) {
      scopes.add(token);
    } else if (token.startsWith(CHANNEL_SCOPE_PREFIX)) {
      const name = token.slice(CHANNEL_SCOPE_PREFIX.length);
      if (name === ALL_CHANNELS) allChannels = true;
      else if (CHANNEL_NAME.test(name)) channels.add(name);
      else return { ok: false, reason: `invalid channel name in scope ${token}` };
    } else {
      return { ok: false, reason: `unknown scope ${token}` };
    }
  }
  return { ok: true, grant: { scopes, channels: allChannels ? ALL_CHANNELS : channels } };
}

/** The granted scope as the token and the token response state it: a canonical, sorted form. */
export function formatScope(grant: Grant): string {
  const channelScopes =
    grant.channels === ALL_CHANNELS
      ? [`${CHANNEL_SCOPE_PREFIX}${ALL_CHANNELS}`]
      : [...grant.channels].sort().map((c) => `${CHANNEL_SCOPE_PREFIX}${c}`);
  return [...CLIENT_SCOPES.filter((s) => grant.scopes.has(s)), ...channelScopes].join(' ');
}

/** Reads the scope claim of a token this gateway issued; null when it is not one we could have issued. */
export function grantFromScopeClaim(claim: unknown): Grant | null {
  if (typeof claim !== 'string') return null;
  const parsed = parseRequestedScope(claim);
  return parsed.ok ? parsed.grant : null;
}

export function allowsChannel(grant: Grant, channel: string): boolean {
  return grant.channels === ALL_CHANNELS || grant.channels.has(channel);
}
