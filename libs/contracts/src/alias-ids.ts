import { type Static, Type } from 'typebox';

/**
 * A user's alias id: the 16 bytes of the user's UUID in base64url without padding (22 characters),
 * the shape of the Alias API's ids. Derived both ways without a lookup, and unique per client because
 * users are per client.
 */
export const AliasId = Type.String({ pattern: '^[A-Za-z0-9_-]{21}[AQgw]$' });
export type AliasId = Static<typeof AliasId>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// 22 base64url characters carry 132 bits; the last one holds 2 bits of data and 4 zero bits.
const ALIAS = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export function aliasIdOf(userId: string): string {
  if (!UUID.test(userId)) throw new TypeError(`not a UUID: ${JSON.stringify(userId)}`);
  return Buffer.from(userId.replaceAll('-', ''), 'hex').toString('base64url');
}

/** The user id an alias id stands for, or null when it is not an alias id (never throws). */
export function userIdOfAlias(aliasId: string): string | null {
  if (typeof aliasId !== 'string' || !ALIAS.test(aliasId)) return null;
  const hex = Buffer.from(aliasId, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
