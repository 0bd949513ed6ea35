import { OFFLINE_ACCESS, type RecipientFailureReason, reachableTopics } from '@switchboard/contracts';
import type { UserState } from './user-decider.js';

/** What a user granted the client. Lists keep the order given, without repeats. */
export interface ConnectionTerms {
  scopes: string[];
  channels: string[];
  nickname: string | null;
}

/** A connection as the user's state keeps it: the last terms granted, and whether it was revoked since. */
export interface ConnectionState extends ConnectionTerms {
  revoked: boolean;
  /** First granted (kept across a revoke and a new grant), and last granted, updated or revoked. */
  createdAt: string;
  updatedAt: string;
}

export function termsOf(given: ConnectionTerms): ConnectionTerms {
  return { scopes: unique(given.scopes), channels: unique(given.channels), nickname: given.nickname };
}

export function sameTerms(a: ConnectionTerms, b: ConnectionTerms): boolean {
  return sameList(a.scopes, b.scopes) && sameList(a.channels, b.channels) && a.nickname === b.nickname;
}

/**
 * Whether a message of `clientId` on `channel` may be delivered to the user now, from the user's own
 * stream (authoritative, unlike a read model): the user must be the client's, with a connection that
 * is not revoked and grants `offline_access` (else `no_connection`) and the channel.
 */
export function recipientVerdict(
  user: UserState,
  clientId: string,
  channel: string,
): { outcome: 'delivered' } | { outcome: 'failed'; reason: RecipientFailureReason } {
  if (user.status !== 'active' || user.clientId !== clientId || !user.connection) {
    return { outcome: 'failed', reason: 'no_connection' };
  }
  const { connection } = user;
  if (connection.revoked) return { outcome: 'failed', reason: 'connection_revoked' };
  // Without offline access the connection is not the client's to use from its backend (Alias "offline").
  if (!connection.scopes.includes(OFFLINE_ACCESS)) return { outcome: 'failed', reason: 'no_connection' };
  if (!reachableTopics(connection).includes(channel)) return { outcome: 'failed', reason: 'channel_revoked' };
  return { outcome: 'delivered' };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
