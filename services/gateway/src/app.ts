import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { httpObservability, TracedRequestLogs } from '@switchboard/telemetry/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { aliasSecurityScheme } from './api/alias/openapi.js';
import type { GatewayDeps } from './deps.js';
import { refuseNulCharacters } from './nul-characters.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The gateway's HTTP surface. Dialects are encapsulated plugins, each with its own auth and error
 * format; the app itself only adds what they share: ids, body limit, NUL characters refused, OpenAPI,
 * health.
 */
export async function buildApp(deps: GatewayDeps, dialects: ((app: FastifyInstance) => Promise<void>)[]) {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Request log lines carry the request's trace id (see httpObservability).
    logController: new TracedRequestLogs(),
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First: the request span must wrap every route, and /metrics is served on this port.
  await app.register(httpObservability);
  // Form bodies: OAuth token requests, and clients (axios) that label an empty POST as a form.
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Switchboard', version: '0.1.0', description: 'Omnichannel messaging server' },
      components: {
        securitySchemes: {
          clientId: { type: 'apiKey', in: 'header', name: 'x-bp-messaging-client-id' },
          clientToken: { type: 'apiKey', in: 'header', name: 'x-bp-messaging-client-token' },
          adminKey: { type: 'apiKey', in: 'header', name: 'x-bp-messaging-admin-key' },
          aliasOAuth: aliasSecurityScheme,
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = await deps.readiness();
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });

  app.addHook('preValidation', refuseNulCharacters);
  for (const dialect of dialects) await app.register(dialect);
  return app;
}
