import type { ClientRow } from '@switchboard/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clientWithCredentials } from '../../client-credentials.js';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessTokens } from './access-tokens.js';
import { REALM } from './bearer.js';
import { AliasError } from './errors.js';
import type { AliasApp } from './plugin-types.js';
import { ErrorBody } from './schemas.js';
import { parseRequestedScope } from './scopes.js';

const TokenRequest = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ description: 'client_credentials' })),
    scope: Type.Optional(
      Type.String({
        description:
          'Space-separated: client:connections client:send client:outbound_messages contact nickname, ' +
          'channel:<name> or channel:*. Absent: all of them.',
      }),
    ),
    client_id: Type.Optional(Type.String({ description: 'The client id (or HTTP Basic user name)' })),
    client_secret: Type.Optional(Type.String({ description: 'The client token (or HTTP Basic password)' })),
  },
  { additionalProperties: true },
);

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

/** RFC 6749 §5.2 errors; `invalid_client` is a 401 with a Basic challenge (the scheme we accept). */
const oauthError = (error: string, description: string) =>
  error === 'invalid_client'
    ? new AliasError(401, error, description, {}, { 'www-authenticate': `Basic realm="${REALM}"` })
    : new AliasError(400, error, description);

interface Credentials {
  clientId: string;
  secret: string;
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded, then joined by `:` and base64-encoded. */
function basicCredentials(header: string): Credentials {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match?.[1]) throw oauthError('invalid_client', 'the Authorization header is not HTTP Basic');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw oauthError('invalid_client', 'HTTP Basic credentials need a client id and a secret');
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw oauthError('invalid_client', 'HTTP Basic credentials are not form-encoded');
  }
}

function credentialsOf(
  request: FastifyRequest,
  body: { client_id?: string; client_secret?: string },
): Credentials {
  const header = request.headers.authorization;
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (header && inBody) {
    throw oauthError('invalid_request', 'client credentials must be given once: HTTP Basic or the body');
  }
  if (header) return basicCredentials(header);
  if (!body.client_id || !body.client_secret) {
    throw oauthError(
      'invalid_client',
      'client authentication is required: client_id and client_secret, or HTTP Basic',
    );
  }
  return { clientId: body.client_id, secret: body.client_secret };
}

export function tokenRoutes(
  app: AliasApp,
  deps: { tokens: AccessTokens; findClient: (id: string) => Promise<ClientRow | null> },
): void {
  const authenticate = async (credentials: Credentials): Promise<ClientRow> => {
    const client = await clientWithCredentials(deps.findClient, credentials.clientId, credentials.secret);
    if (!client) throw oauthError('invalid_client', 'unknown client or wrong secret');
    return client;
  };

  const noStore = (reply: FastifyReply) => reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });

  app.addHook('onSend', async (_request, reply) => {
    noStore(reply);
  });

  app.post(
    '/token',
    {
      schema: {
        tags: ['alias'],
        summary: 'OAuth 2.0 client credentials grant: an access token for /api/client (form or JSON body)',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const credentials = credentialsOf(request, body);
      if (!body.grant_type) throw oauthError('invalid_request', 'grant_type is required');
      if (body.grant_type !== 'client_credentials') {
        throw oauthError('unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
      }
      const client = await authenticate(credentials);
      const scope = parseRequestedScope(body.scope);
      if (!scope.ok) throw oauthError('invalid_scope', scope.reason);
      const issued = await deps.tokens.issue(client.id, scope.grant, client.tokenHash);
      return {
        access_token: issued.token,
        token_type: 'Bearer' as const,
        expires_in: ACCESS_TOKEN_TTL_SECONDS,
        scope: issued.scope,
      };
    },
  );
}
