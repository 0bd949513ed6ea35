import type { ClientRow } from '@switchboard/read-models';
import type { FastifyRequest } from 'fastify';
import type { AccessTokens } from './access-tokens.js';
import { AliasError } from './errors.js';
import type { ClientScope, Grant } from './scopes.js';

export const REALM = 'switchboard';

/** Who calls, and what the token lets them do. */
export interface Caller {
  clientId: string;
  grant: Grant;
}

export interface BearerAuth {
  /** The caller of a route that needs `scope`: 401 without a valid token, 403 without the scope. */
  require(request: FastifyRequest, scope: ClientScope): Promise<Caller>;
}

// RFC 6750 §2.1: `Bearer` then one b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const invalidToken = (description: string) =>
  new AliasError(
    401,
    'invalid_token',
    description,
    {},
    {
      'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
    },
  );

/** RFC 6750 §3.1: the scope the request needed, in the body and in the challenge. */
export const insufficientScope = (scope: string, description = `this request requires the ${scope} scope`) =>
  new AliasError(
    403,
    'insufficient_scope',
    description,
    { scope },
    {
      'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope", error_description="${description}", scope="${scope}"`,
    },
  );

/**
 * Bearer access tokens (RFC 6750) on `/api/client`: a token this gateway issued, unexpired, for a client
 * that still exists with the secret the token was issued against (rotating the secret revokes it).
 */
export function createBearerAuth(
  tokens: AccessTokens,
  findClient: (id: string) => Promise<ClientRow | null>,
): BearerAuth {
  return {
    async require(request, scope) {
      const header = request.headers.authorization;
      if (!header) {
        // §3.1: a request without credentials gets a challenge without an error code.
        throw new AliasError(
          401,
          'invalid_token',
          'an access token is required: Authorization: Bearer <access-token>',
          {},
          { 'www-authenticate': `Bearer realm="${REALM}"` },
        );
      }
      const match = BEARER.exec(header);
      if (!match?.[1]) throw invalidToken('the Authorization header is not a Bearer token');
      const verified = await tokens.verify(match[1]);
      if (!verified.ok) throw invalidToken(verified.reason);
      const client = await findClient(verified.token.clientId);
      if (!client || !tokens.credentialMatches(verified.token, client.tokenHash))
        throw invalidToken('the access token has been revoked');
      if (!verified.token.grant.scopes.has(scope)) throw insufficientScope(scope);
      return { clientId: client.id, grant: verified.token.grant };
    },
  };
}
