import { randomUUID } from 'node:crypto';
import { checkChannelConfigs, knownChannels } from '@switchboard/channel-registry';
import { hashToken, newToken } from '@switchboard/crypto';
import { findClient, listChannels, listWebhooks } from '@switchboard/read-models';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clientWithCredentials } from '../../client-credentials.js';
import { HttpError } from './errors.js';
import type { App, RouteDeps } from './plugin-types.js';
import { ErrorBody, Uuid } from './schemas.js';

const SyncBody = Type.Object({
  id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  token: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 512 }), Type.Null()])),
  // Each channel's configuration is checked against its adapter's schema (checkChannelConfigs), which
  // names the field at fault the dialect's way; here it is only an object per channel name.
  channels: Type.Optional(
    Type.Union([
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          `Per channel (${knownChannels.join(', ')}): \`enabled\` ` +
          '(default true), `version`, and the fields the Botpress Messaging server takes for it',
      }),
      Type.Null(),
    ]),
  ),
  webhooks: Type.Optional(
    Type.Union([
      Type.Array(
        Type.Object({ url: Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' }) }),
        {
          maxItems: 20,
        },
      ),
      Type.Null(),
    ]),
  ),
});

const SyncResult = Type.Object({
  id: Uuid,
  token: Type.String(),
  webhooks: Type.Array(Type.Object({ url: Type.String(), token: Type.String() })),
});

const headerValue = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

export function clientRoutes(app: App, deps: RouteDeps): void {
  const security = [{ clientId: [], clientToken: [] }];

  const createClient = async (request: FastifyRequest, clientId: string) => {
    const token = newToken();
    await deps.commands.send(request, {
      tenant: clientId,
      aggregate: 'client',
      type: 'CreateClient',
      payload: { clientId, tokenHash: hashToken(token) },
      actor: 'admin',
    });
    return token;
  };

  app.post(
    '/sync',
    {
      schema: {
        tags: ['sync'],
        summary: "Create a client or replace a client's whole configuration (channels and webhooks)",
        body: SyncBody,
        response: { 200: SyncResult, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const body = request.body;
      // An existing client names itself in the body (as the routes document) or in the headers (as
      // the published client sends it).
      const givenId = body.id ?? headerValue(request, 'x-bp-messaging-client-id');
      const givenToken = body.token ?? headerValue(request, 'x-bp-messaging-client-token');
      let synced: { id: string } | null = null;
      if (givenId) {
        if (!givenToken) throw new HttpError(403, 'a client id needs its token');
        const client = await clientWithCredentials((id) => findClient(deps.sql, id), givenId, givenToken);
        if (!client) throw new HttpError(403, 'invalid client id or token');
        synced = client;
      } else if (!deps.config.ALLOW_ANONYMOUS_SYNC) {
        deps.auth.requireAdmin(request);
      }
      // Checked once the caller is known and before any command, so a bad configuration creates no
      // client and changes nothing.
      const checked = checkChannelConfigs(body.channels ?? {});
      if (!checked.ok) throw new HttpError(400, checked.issues.join('; '));
      const clientId = synced?.id ?? randomUUID();
      const token = synced && givenToken ? givenToken : await createClient(request, clientId);

      // A webhook keeps its id and token for as long as its URL stays in the configuration.
      const existing = new Map((await listWebhooks(deps.sql, clientId)).map((w) => [w.url, w]));
      const urls = [...new Set((body.webhooks ?? []).map((w) => w.url))];
      const webhooks = urls.map((url) => {
        const known = existing.get(url);
        if (known) {
          return {
            webhookId: known.id,
            url,
            sealedToken: known.tokenSealed,
            token: deps.secrets.decrypt(known.tokenSealed),
          };
        }
        const webhookToken = newToken();
        return {
          webhookId: randomUUID(),
          url,
          sealedToken: deps.secrets.encrypt(webhookToken),
          token: webhookToken,
        };
      });
      // Sealed whole (secrets and the rest), so no event or read model holds a secret in clear.
      const channels = Object.fromEntries(
        Object.entries(checked.channels).map(([name, { enabled, config }]) => [
          name,
          {
            enabled,
            sealedConfig: deps.secrets.encryptJson(config),
            fingerprint: deps.secrets.fingerprint(config),
          },
        ]),
      );
      await deps.commands.send(request, {
        tenant: clientId,
        aggregate: 'client',
        type: 'SyncClientConfiguration',
        payload: {
          clientId,
          channels,
          webhooks: webhooks.map(({ webhookId, url, sealedToken }) => ({ webhookId, url, sealedToken })),
        },
      });
      return { id: clientId, token, webhooks: webhooks.map(({ url, token: t }) => ({ url, token: t })) };
    },
  );

  app.post(
    '/admin/clients',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a client (admin key)',
        security: [{ adminKey: [] }],
        body: Type.Optional(Type.Object({ id: Type.Optional(Type.Union([Uuid, Type.Null()])) })),
        response: { 201: Type.Object({ id: Uuid, token: Type.String() }), 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      deps.auth.requireAdmin(request);
      const clientId = request.body?.id ?? randomUUID();
      const token = await createClient(request, clientId);
      return reply.code(201).send({ id: clientId, token });
    },
  );

  app.put(
    '/admin/clients/name',
    {
      schema: {
        tags: ['admin'],
        summary: 'Rename a client (admin key)',
        security: [{ adminKey: [] }],
        body: Type.Object({ id: Uuid, name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({}), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      deps.auth.requireAdmin(request);
      await deps.commands.send(request, {
        tenant: request.body.id,
        aggregate: 'client',
        type: 'RenameClient',
        payload: { clientId: request.body.id, name: request.body.name },
        actor: 'admin',
      });
      return reply.code(200).send({});
    },
  );

  app.get(
    '/clients',
    {
      schema: {
        tags: ['clients'],
        summary: "Check a client's credentials",
        security,
        response: { 200: Type.Object({ id: Uuid }), 401: ErrorBody },
      },
    },
    async (request) => ({ id: await deps.auth.clientId(request) }),
  );

  app.get(
    '/health',
    {
      schema: {
        tags: ['clients'],
        summary: "The client's channels and their recent health events",
        security,
        response: {
          200: Type.Object({
            channels: Type.Record(
              Type.String(),
              Type.Object({
                events: Type.Array(
                  Type.Object({
                    type: Type.String(),
                    time: Type.String({ format: 'date-time' }),
                    data: Type.Optional(Type.Unknown()),
                  }),
                ),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const clientId = await deps.auth.clientId(request);
      const channels: Record<string, { events: { type: string; time: string; data?: unknown }[] }> = {};
      for (const c of await listChannels(deps.sql, clientId)) {
        const events: { type: string; time: string; data?: unknown }[] = [
          { type: 'configure', time: c.configuredAt.toISOString(), data: { enabled: c.enabled } },
        ];
        if (c.lastSuccessAt) events.push({ type: 'start', time: c.lastSuccessAt.toISOString() });
        if (c.lastErrorAt) {
          events.push({
            type: 'start-failure',
            time: c.lastErrorAt.toISOString(),
            data: { error: c.lastError },
          });
        }
        channels[c.channel] = { events: events.sort((a, b) => a.time.localeCompare(b.time)) };
      }
      return { channels };
    },
  );
}
