import { tokenMatches } from '@switchboard/crypto';
import type { ClientRow } from '@switchboard/read-models';

/** A client id as the gateway hands them out; anything else is no client, without a lookup. */
export const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The client these credentials belong to, or null: an id that is not one of ours, an unknown client or
 * a wrong secret all answer the same. Every way a client proves itself goes through here (the Botpress
 * headers, sync's body, the OAuth token endpoint).
 */
export async function clientWithCredentials(
  findClient: (id: string) => Promise<ClientRow | null>,
  id: string,
  secret: string,
): Promise<ClientRow | null> {
  if (!CLIENT_ID.test(id)) return null;
  const client = await findClient(id.toLowerCase());
  return client && tokenMatches(secret, client.tokenHash) ? client : null;
}
