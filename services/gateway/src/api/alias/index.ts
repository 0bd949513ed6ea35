import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../../deps.js';
import { AccessTokens } from './access-tokens.js';
import { createBearerAuth } from './bearer.js';
import { connectionRoutes } from './connections.js';
import { installErrorHandler } from './errors.js';
import { outboundMessageRoutes } from './outbound-messages.js';
import type { AliasApp } from './plugin-types.js';
import { sendRoutes } from './send.js';
import { tokenRoutes } from './token.js';

/**
 * The Alias client API at `/api/client` and its OAuth 2.0 token endpoint at `/oauth2/token`: Bearer
 * access tokens with scopes, `{ error, error_description }` errors.
 */
export function aliasDialect(deps: GatewayDeps) {
  const tokens = new AccessTokens(deps.config.SECRETS_KEY);
  return async (parent: FastifyInstance) => {
    await parent.register(
      async (scope) => {
        installErrorHandler(scope);
        tokenRoutes(scope as unknown as AliasApp, { tokens, findClient: deps.findClient });
      },
      { prefix: '/oauth2' },
    );
    await parent.register(
      async (scope) => {
        installErrorHandler(scope);
        const app = scope as unknown as AliasApp;
        const routeDeps = { ...deps, auth: createBearerAuth(tokens, deps.findClient) };
        connectionRoutes(app, routeDeps);
        sendRoutes(app, routeDeps);
        outboundMessageRoutes(app, routeDeps);
      },
      { prefix: '/api/client' },
    );
  };
}
