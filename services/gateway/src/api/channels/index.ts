import { inboxStream } from '@switchboard/bus';
import { adapterFor } from '@switchboard/channel-registry';
import type { TeamsVerifyContext } from '@switchboard/channel-teams';
import {
  type DirectResponse,
  type InboundRequest,
  type InboxMessage,
  inboxMessageId,
  type VerifyResult,
} from '@switchboard/contracts';
import { findChannelConfig } from '@switchboard/read-models';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { CLIENT_ID } from '../../client-credentials.js';
import type { GatewayDeps } from '../../deps.js';
import { withoutNul } from '../../nul-characters.js';
import { inboundRequest } from './inbound-request.js';
import { TeamsKeys } from './teams-keys.js';

const Params = Type.Object({
  clientId: Type.String({ maxLength: 64 }),
  channel: Type.String({ maxLength: 64 }),
});

/**
 * Provider webhooks: `POST /webhooks/:clientId/:channel` (and `GET`, for subscription handshakes).
 * The client's configuration of the channel is opened, the request verified the provider's own way
 * (invalid: 401/403 and nothing stored), a handshake answered, and each normalized inbound item
 * published to the JetStream `INBOX` under the provider's event id as message id (a provider's retry is
 * dropped as a duplicate) before the provider gets its acknowledgement. Unknown client or channel, or a
 * disabled one: 404. The body is kept as raw bytes in this plugin's scope, whatever its content type.
 */
export function channelWebhooks(deps: GatewayDeps) {
  const teamsKeys = new TeamsKeys(deps.config.TEAMS_OPENID_METADATA_URL, deps.logger);
  return async (parent: FastifyInstance) => {
    await deps.bus.ensureStream(inboxStream(deps.bus.names));
    await parent.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

      scope.route({
        method: ['GET', 'POST'],
        url: '/webhooks/:clientId/:channel',
        schema: {
          tags: ['channels'],
          summary: "A provider's webhook for one client's channel (GET: subscription handshakes)",
          params: Params,
        },
        handler: async (request, reply) => {
          const { clientId: givenId, channel } = request.params as { clientId: string; channel: string };
          const adapter = adapterFor(channel);
          if (!adapter || !CLIENT_ID.test(givenId)) return notFound(reply);
          const clientId = givenId.toLowerCase();
          const settings = await findChannelConfig(deps.sql, clientId, channel);
          if (!settings?.enabled) return notFound(reply);
          const config = deps.secrets.decryptJson<Record<string, unknown>>(settings.configSealed);
          const inbound = inboundRequest(request, deps.config.PUBLIC_URL);

          const verified = await verify(inbound, channel, (ctx) => adapter.verify(inbound, config, ctx));
          if (!verified.ok) {
            request.log.info({ clientId, channel, reason: verified.reason }, 'provider webhook refused');
            return reply.code(verified.status).send({ error: verified.reason });
          }
          const handshake = adapter.handshake(inbound, config);
          if (handshake) return direct(reply, handshake);
          if (inbound.method === 'GET') return reply.code(405).send({ error: 'this channel takes POST' });

          let items: ReturnType<typeof adapter.parse>;
          try {
            items = adapter.parse(inbound, config);
          } catch (err) {
            request.log.warn({ err, clientId, channel }, 'provider webhook not understood');
            return reply.code(400).send({ error: 'webhook body not understood' });
          }
          const receivedAt = new Date().toISOString();
          for (const item of items) {
            // A provider's NUL is not the client's mistake: replaced, not refused (nothing could store it).
            const message: InboxMessage = { clientId, channel, receivedAt, inbound: withoutNul(item) };
            try {
              await deps.bus.publish(deps.bus.names.inbox(clientId, channel), message, {
                msgId: inboxMessageId(clientId, channel, item.providerEventId),
              });
            } catch (err) {
              // Not durable, not acknowledged: the provider sends it again.
              request.log.error({ err, clientId, channel }, 'inbound not stored');
              return reply.code(503).send({ error: 'try again later' });
            }
          }
          return direct(reply, adapter.acknowledge(inbound, config));
        },
      });
    });
  };

  /** Verifies; a Teams token signed with a key we do not have is checked again with refreshed keys. */
  async function verify(
    inbound: InboundRequest,
    channel: string,
    check: (ctx: TeamsVerifyContext) => VerifyResult,
  ): Promise<VerifyResult> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (channel !== 'teams') return check({ nowSeconds });
    const result = check({ nowSeconds, ...withKeys(await teamsKeys.current()) });
    if (result.ok || !/unknown key|no Bot Framework signing keys/.test(result.reason)) return result;
    if (inbound.headers.authorization === undefined) return result;
    return check({ nowSeconds, ...withKeys(await teamsKeys.refreshed()) });
  }
}

function withKeys(jwks: TeamsVerifyContext['jwks']): Pick<TeamsVerifyContext, 'jwks'> {
  return jwks === undefined ? {} : { jwks };
}

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'no such webhook' });
}

function direct(reply: FastifyReply, answer: DirectResponse) {
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  return reply.send(answer.body ?? '');
}
