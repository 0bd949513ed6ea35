import { randomBytes } from 'node:crypto';
import {
  AliasId,
  type BroadcastAudience,
  type BroadcastContent,
  broadcastContentHash,
  broadcastIdOf,
  TopicName,
  userIdOfAlias,
} from '@switchboard/contracts';
import { type Static, Type } from 'typebox';
import { insufficientScope } from './bearer.js';
import { badRequest } from './errors.js';
import type { AliasApp, AliasDeps } from './plugin-types.js';
import { errorResponses } from './schemas.js';
import { allowsChannel, CHANNEL_SCOPE_PREFIX, patternOf } from './scopes.js';

/** Link schemes that run code where the link is rendered: never sent to a user. */
const UNSAFE_SCHEMES = /^\s*(javascript|data|vbscript):/i;

const SendBody = Type.Object(
  {
    version: Type.Literal('v0', { description: 'v0 is the only version' }),
    outbound_message_id: Type.Optional(
      Type.String({
        minLength: 10,
        maxLength: 30,
        pattern: '^[0-9a-zA-Z_-]+$',
        description: 'Generated (22 characters) when absent',
      }),
    ),
    channel: Type.String({
      pattern: patternOf(TopicName),
      description: 'The token must include this channel',
    }),
    to: Type.String({
      pattern: `^(\\*|${patternOf(AliasId).slice(1, -1)})$`,
      description: 'An alias id, or * for every user subscribed to the channel',
    }),
    title: Type.String({ minLength: 5, maxLength: 100 }),
    body: Type.Optional(Type.String({ minLength: 5, maxLength: 500 })),
    link: Type.Optional(
      Type.Object(
        {
          uri: Type.String({ format: 'uri', maxLength: 2048 }),
          text: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type SendBody = Static<typeof SendBody>;

/** 16 random bytes in base64url: 22 characters, like the seed's ids. */
const newOutboundMessageId = () => randomBytes(16).toString('base64url');

const contentOf = (body: SendBody): BroadcastContent => ({
  title: body.title,
  ...(body.body !== undefined ? { body: body.body } : {}),
  ...(body.link
    ? { link: { uri: body.link.uri, ...(body.link.text !== undefined ? { text: body.link.text } : {}) } }
    : {}),
});

export function sendRoutes(app: AliasApp, deps: AliasDeps): void {
  app.post(
    '/send',
    {
      schema: {
        tags: ['alias'],
        summary:
          "Send a message to a user or to every subscriber of a channel (scope client:send, the channel's scope)",
        security: [{ aliasOAuth: ['client:send'] }],
        body: SendBody,
        response: {
          200: Type.Object({ outbound_message_id: Type.String() }),
          409: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const caller = await deps.auth.require(request, 'client:send');
      const body = request.body;
      if (!allowsChannel(caller.grant, body.channel)) {
        const scope = `${CHANNEL_SCOPE_PREFIX}${body.channel}`;
        throw insufficientScope(scope, `the token does not include channel ${body.channel} (${scope})`);
      }
      if (body.link && UNSAFE_SCHEMES.test(body.link.uri))
        throw badRequest('body/link/uri: scheme not allowed');
      let audience: BroadcastAudience = { kind: 'topic' };
      if (body.to !== '*') {
        const userId = userIdOfAlias(body.to);
        if (!userId) throw badRequest('body/to: not an alias id');
        audience = { kind: 'user', userId };
      }
      const outboundMessageId = body.outbound_message_id ?? newOutboundMessageId();
      const content = contentOf(body);
      const result = await deps.commands.send<{ outboundMessageId?: string }>(request, {
        tenant: caller.clientId,
        aggregate: 'broadcast',
        type: 'RequestBroadcast',
        payload: {
          broadcastId: broadcastIdOf(caller.clientId, outboundMessageId),
          clientId: caller.clientId,
          outboundMessageId,
          channel: body.channel,
          audience,
          content,
          contentHash: broadcastContentHash({ channel: body.channel, audience, content }),
        },
      });
      // A retried request (same Idempotency-Key) answers its first execution's id.
      return { outbound_message_id: result.outboundMessageId ?? outboundMessageId };
    },
  );
}
