import {
  recordedEventJson as eventJson,
  parseReplayPoint,
  replayPointPattern,
  replayStream,
  streamEvents,
} from '@switchboard/replay';
import { Type } from 'typebox';
import type { GatewayDeps } from '../../deps.js';
import type { App } from '../botpress/plugin-types.js';

// The same points, parsed by the same code, as `switchboard conversation replay --at`.
const At = Type.Optional(
  Type.String({
    pattern: replayPointPattern,
    description: 'a revision (0 = first event) or an ISO 8601 time',
  }),
);

const point = (at: string | undefined) => (at === undefined ? undefined : parseReplayPoint(at));

export function inspectionRoutes(app: App, deps: GatewayDeps): void {
  const security = [{ adminKey: [] }];

  app.get(
    '/streams/:stream/events',
    {
      schema: {
        tags: ['admin'],
        summary: "A stream's events, oldest first (e.g. conversation-<id>)",
        security,
        params: Type.Object({
          stream: Type.String({ minLength: 3, maxLength: 200, pattern: '^[a-z]+-[\\w-]+$' }),
        }),
        querystring: Type.Object({
          from: Type.Optional(Type.Integer({ minimum: 0, description: 'first revision' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
      },
    },
    async (request) => {
      const { from = 0, limit = 100 } = request.query;
      const events = [];
      for await (const event of streamEvents(deps.store, request.params.stream, {
        from: BigInt(from),
        limit,
      }))
        events.push(eventJson(event));
      return { stream: request.params.stream, events };
    },
  );

  app.get(
    '/conversations/:id/state',
    {
      schema: {
        tags: ['admin'],
        summary: "A conversation's state as of a revision or a time, folded from its events",
        security,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ at: At }),
      },
    },
    async (request) => {
      const replay = await replayStream(deps.store, `conversation-${request.params.id}`, {
        at: point(request.query.at),
      });
      return { stream: replay.stream, revision: replay.revision?.toString() ?? null, state: replay.state };
    },
  );

  app.get(
    '/conversations/:id/timeline',
    {
      schema: {
        tags: ['admin'],
        summary: "A conversation's events, each with the state right after it",
        security,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ at: At }),
      },
    },
    async (request) => {
      const replay = await replayStream(deps.store, `conversation-${request.params.id}`, {
        at: point(request.query.at),
        steps: true,
      });
      return {
        stream: replay.stream,
        steps: replay.steps.map((s) => ({ event: eventJson(s.event), state: s.state })),
      };
    },
  );
}
