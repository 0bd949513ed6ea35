import { timingSafeEqual } from 'node:crypto';
import { StreamDeletedError, StreamNotFoundError } from '@switchboard/event-store';
import { InvalidReplayPointError, UnknownStreamCategoryError } from '@switchboard/replay';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../../deps.js';
import type { App } from '../botpress/plugin-types.js';
import { inspectionRoutes } from './inspection.js';
import { timelinePage } from './timeline-page.js';

class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Debugging by replay, for operators: a stream's events, an aggregate's state at any point, and a
 * timeline page. Everything but the page itself needs the admin key.
 */
export function adminApi(deps: GatewayDeps) {
  const key = Buffer.from(deps.config.ADMIN_KEY);
  const isAdmin = (request: FastifyRequest) => {
    const header = request.headers['x-bp-messaging-admin-key'];
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    return [typeof header === 'string' ? header : undefined, bearer].some((given) => {
      if (!given) return false;
      const b = Buffer.from(given);
      return b.length === key.length && timingSafeEqual(b, key);
    });
  };

  return async (parent: FastifyInstance) => {
    await parent.register(
      async (scope) => {
        const app = scope as unknown as App;
        scope.setErrorHandler((error: FastifyError | Error, request, reply) => {
          let status = 500;
          if (error instanceof AdminError) status = error.statusCode;
          else if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) status = 404;
          else if (error instanceof UnknownStreamCategoryError || error instanceof InvalidReplayPointError)
            status = 400;
          else if ('validation' in error && error.validation) status = 400;
          else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
            status = error.statusCode;
          }
          if (status >= 500) request.log.error({ err: error }, 'admin request failed');
          return reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message });
        });
        // The page carries no data: its script asks the API with the key the operator gives it.
        timelinePage(app);
        await scope.register(async (secured) => {
          secured.addHook('onRequest', async (request) => {
            if (!isAdmin(request))
              throw new AdminError(401, 'the admin key is required (Authorization: Bearer <ADMIN_KEY>)');
          });
          inspectionRoutes(secured as unknown as App, deps);
        });
      },
      { prefix: '/admin' },
    );
  };
}
