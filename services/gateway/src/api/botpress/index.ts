import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../../deps.js';
import { createClientAuth } from './auth.js';
import { clientRoutes } from './clients.js';
import { connectionRoutes } from './connections.js';
import { conversationRoutes } from './conversations.js';
import { endpointRoutes } from './endpoints.js';
import { installErrorHandler } from './errors.js';
import { messageRoutes } from './messages.js';
import type { App } from './plugin-types.js';
import { userRoutes } from './users.js';
import { webhookDeliveryRoutes } from './webhook-deliveries.js';

/** The Botpress Messaging dialect at `/api/v1`: its own auth headers and error shape. */
export function botpressDialect(deps: GatewayDeps) {
  return async (parent: FastifyInstance) => {
    await parent.register(
      async (scope) => {
        const app = scope as unknown as App;
        installErrorHandler(app as unknown as FastifyInstance);
        const routeDeps = { ...deps, auth: createClientAuth(deps.findClient, deps.config.ADMIN_KEY) };
        clientRoutes(app, routeDeps);
        userRoutes(app, routeDeps);
        connectionRoutes(app, routeDeps);
        conversationRoutes(app, routeDeps);
        messageRoutes(app, routeDeps);
        endpointRoutes(app, routeDeps);
        webhookDeliveryRoutes(app, routeDeps);
      },
      { prefix: '/api/v1' },
    );
  };
}
