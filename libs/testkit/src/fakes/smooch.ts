import { randomBytes } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Sunshine Conversations API v2: `POST /v2/apps/{appId}/conversations/{id}/messages` and
 * `…/activity`, JSON, Basic auth with an API key (id:secret). It answers 201 `{ messages: [{ id,
 * received, author, content }] }`, or `{ errors: [{ code, title }] }` (401 `unauthorized` for a wrong
 * key, 400 `bad_request` for content the v2 schema rejects), and sends webhooks as Sunshine
 * Conversations does: a v2 payload with the webhook secret in `X-API-Key`.
 */

export interface SmoochFakeOptions {
  appId?: string;
  keyId?: string;
  keySecret?: string;
  webhookSecret?: string;
}

export interface SmoochSentMessage {
  conversationId: string;
  id: string;
  author: unknown;
  content: Record<string, unknown>;
}

export interface SmoochFake extends HttpFake {
  appId: string;
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /** Messages the API accepted, in order. */
  messages: SmoochSentMessage[];
  /** Activities (typing) the API accepted, in order. */
  activities: { conversationId: string; type: string }[];
  /** A webhook body and the headers Sunshine Conversations sends with it. */
  signedWebhook(payload: unknown): { headers: Record<string, string>; body: string };
  /** A v2 webhook payload with one `conversation:message` event from a user. */
  userMessageWebhook(options: {
    userId: string;
    conversationId: string;
    text: string;
  }): Record<string, unknown>;
}

const contentTypes = new Set(['text', 'image', 'file', 'location', 'carousel', 'list', 'form']);

export async function startSmoochFake(options: SmoochFakeOptions = {}): Promise<SmoochFake> {
  const appId = options.appId ?? `5e4af71a${randomBytes(8).toString('hex')}`;
  const keyId = options.keyId ?? `app_${randomBytes(8).toString('hex')}`;
  const keySecret = options.keySecret ?? randomBytes(24).toString('base64url');
  const webhookSecret = options.webhookSecret ?? randomBytes(16).toString('hex');
  const messages: SmoochSentMessage[] = [];
  const activities: { conversationId: string; type: string }[] = [];
  const expectedAuthorization = `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`;

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    const route = /^\/v2\/apps\/([^/]+)\/conversations\/([^/]+)\/(messages|activity)$/.exec(request.path);
    if (request.method !== 'POST' || !route) return errors(404, 'not_found', 'Resource not found');
    if (request.headers.authorization !== expectedAuthorization) {
      return errors(401, 'unauthorized', 'Authorization is required');
    }
    if (decodeURIComponent(route[1] ?? '') !== appId)
      return errors(403, 'forbidden', 'Cannot access this app');
    const failure = takeFailure();
    if (failure) return failureAnswer(failure);
    const conversationId = decodeURIComponent(route[2] ?? '');
    const body = request.json;
    if (!isRecord(body)) return errors(400, 'bad_request', 'Request body must be JSON');
    if (!isRecord(body.author) || (body.author.type !== 'business' && body.author.type !== 'user')) {
      return errors(400, 'bad_request', 'author.type must be "business" or "user"');
    }
    if (route[3] === 'activity') return postActivity(conversationId, body);
    return postMessage(conversationId, body);
  });

  function postMessage(conversationId: string, body: Record<string, unknown>): FakeAnswer {
    const content = body.content;
    const problem = isRecord(content) ? contentProblem(content) : 'content is required';
    if (problem !== undefined || !isRecord(content))
      return errors(400, 'bad_request', problem ?? 'invalid content');
    const id = randomBytes(12).toString('hex');
    messages.push({ conversationId, id, author: body.author, content });
    return {
      status: 201,
      body: { messages: [{ id, received: new Date().toISOString(), author: body.author, content }] },
    };
  }

  function postActivity(conversationId: string, body: Record<string, unknown>): FakeAnswer {
    if (body.type !== 'typing:start' && body.type !== 'typing:stop' && body.type !== 'conversation:read') {
      return errors(400, 'bad_request', 'type must be one of typing:start, typing:stop, conversation:read');
    }
    activities.push({ conversationId, type: body.type });
    return { status: 200, body: {} };
  }

  return {
    ...fake,
    appId,
    keyId,
    keySecret,
    webhookSecret,
    messages,
    activities,
    signedWebhook: (payload) => ({
      headers: { 'content-type': 'application/json', 'x-api-key': webhookSecret },
      body: JSON.stringify(payload),
    }),
    userMessageWebhook: ({ userId, conversationId, text }) => ({
      app: { id: appId },
      webhook: { id: randomBytes(12).toString('hex'), version: 'v2' },
      events: [
        {
          id: randomBytes(12).toString('hex'),
          type: 'conversation:message',
          createdAt: new Date().toISOString(),
          payload: {
            conversation: { id: conversationId, type: 'personal' },
            message: {
              id: randomBytes(12).toString('hex'),
              received: new Date().toISOString(),
              author: { type: 'user', userId, displayName: 'Test Person' },
              content: { type: 'text', text },
              source: { type: 'web', integrationId: randomBytes(12).toString('hex') },
            },
          },
        },
      ],
    }),
  };
}

/** The v2 message schema's rules the adapter's content must satisfy. */
function contentProblem(content: Record<string, unknown>): string | undefined {
  if (typeof content.type !== 'string' || !contentTypes.has(content.type))
    return `unknown content type ${String(content.type)}`;
  const actions = Array.isArray(content.actions) ? content.actions : undefined;
  switch (content.type) {
    case 'text':
      if ((typeof content.text !== 'string' || content.text.length === 0) && !actions?.length) {
        return 'text is required unless actions are provided';
      }
      if (typeof content.text === 'string' && content.text.length > 4096)
        return 'text must be at most 4096 characters';
      return actionsProblem(actions);
    case 'image':
    case 'file':
      return typeof content.mediaUrl === 'string' && /^https?:\/\//.test(content.mediaUrl)
        ? actionsProblem(actions)
        : 'mediaUrl must be a URI';
    case 'location': {
      const coordinates = isRecord(content.coordinates) ? content.coordinates : undefined;
      return typeof coordinates?.lat === 'number' && typeof coordinates.long === 'number'
        ? undefined
        : 'coordinates.lat and coordinates.long are required';
    }
    case 'carousel':
    case 'list': {
      const items = Array.isArray(content.items) ? content.items : [];
      if (items.length < 1 || items.length > 10) return 'items must have 1 to 10 elements';
      for (const item of items) {
        if (!isRecord(item) || typeof item.title !== 'string' || item.title.length < 1)
          return 'item title is required';
        const itemActions = Array.isArray(item.actions) ? item.actions : [];
        if (itemActions.length < 1 || itemActions.length > 3) return 'item actions must have 1 to 3 elements';
        const problem = actionsProblem(itemActions);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function actionsProblem(actions: unknown[] | undefined): string | undefined {
  for (const action of actions ?? []) {
    if (!isRecord(action) || typeof action.text !== 'string') return 'action text is required';
    if (action.type === 'link' && typeof action.uri !== 'string') return 'link action uri is required';
    if ((action.type === 'postback' || action.type === 'reply') && action.payload === undefined) {
      return `${action.type} action payload is required`;
    }
  }
  return undefined;
}

function failureAnswer(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  if (failure.status === 429) return { ...errors(429, 'too_many_requests', 'Rate limit exceeded'), headers };
  if (failure.status >= 500)
    return { ...errors(failure.status, 'internal_error', 'Internal error'), headers };
  return { ...errors(failure.status, 'bad_request', 'Bad request'), headers };
}

function errors(status: number, code: string, title: string): FakeAnswer {
  return { status, body: { errors: [{ code, title }] } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
