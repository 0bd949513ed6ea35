import { createHmac } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  type RecordedRequest,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Slack Web API (https://api.slack.com/methods/chat.postMessage): `POST /api/chat.postMessage`
 * with a bearer bot token and a JSON body. Like Slack, it answers HTTP 200 `{ ok: false, error }` for
 * failures (`not_authed`, `invalid_auth`, `channel_not_found`, `no_text`, `invalid_blocks`) and HTTP 429
 * with `Retry-After` and `{ ok: false, error: 'ratelimited' }` when rate limited. It signs inbound
 * requests with Slack's v0 scheme, for Events API (JSON) and interactivity (form `payload=`) bodies.
 */

export interface SlackFakeOptions {
  botToken?: string;
  signingSecret?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface SlackFake extends HttpFake {
  botToken: string;
  signingSecret: string;
  /** The accepted `chat.postMessage` calls, in order. */
  sent(): RecordedRequest[];
  /** Queues a Slack-style failure: HTTP 200 with `{ ok: false, error }` for the next post. */
  failNextWithError(error: string): void;
  /** An Events API body signed as Slack would, at `timestampSeconds` (default now). */
  signedWebhook(payload: object, timestampSeconds?: number): SignedWebhook;
  /** An interactivity body (`payload=<json>`, form-encoded) signed as Slack would. */
  signedInteraction(payload: object, timestampSeconds?: number): SignedWebhook;
  /** An `event_callback` envelope for a person's message, with a fresh `event_id`. */
  messageEvent(options: { user: string; channel: string; text: string }): Record<string, unknown>;
  /** A `block_actions` payload for a button press carrying `value`. */
  buttonPress(options: {
    user: string;
    channel: string;
    title: string;
    value: string;
  }): Record<string, unknown>;
}

export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const signingSecret = options.signingSecret ?? 'slack-fake-signing-secret';
  const accepted = new Set<RecordedRequest>();
  const slackErrors: string[] = [];
  let nextTs = 1;
  let nextEvent = 1;

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    if (request.method !== 'POST' || request.path !== '/api/chat.postMessage') {
      return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
    const authorization = request.headers.authorization;
    if (authorization === undefined) return slackError('not_authed');
    if (authorization !== `Bearer ${botToken}`) return slackError('invalid_auth');
    const body = request.json;
    if (typeof body !== 'object' || body === null) return slackError('invalid_json');
    const message = body as Record<string, unknown>;
    if (typeof message.channel !== 'string' || message.channel.length === 0)
      return slackError('channel_not_found');
    if (message.text === undefined && message.blocks === undefined) return slackError('no_text');
    const blockProblem = message.blocks === undefined ? null : checkBlocks(message.blocks);
    if (blockProblem !== null) {
      return {
        status: 200,
        body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: [blockProblem] } },
      };
    }
    const failure = takeFailure();
    if (failure) return scriptedFailure(failure);
    const error = slackErrors.shift();
    if (error !== undefined) return slackError(error);
    accepted.add(request);
    const ts = `1700000000.${String(nextTs++).padStart(6, '0')}`;
    return {
      status: 200,
      body: { ok: true, channel: message.channel, ts, message: { type: 'message', text: message.text, ts } },
    };
  });

  const sign = (body: string, contentType: string, timestampSeconds = Math.floor(Date.now() / 1000)) => {
    const timestamp = String(timestampSeconds);
    const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
    return {
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${signature}`,
      },
      body,
    };
  };

  return {
    ...fake,
    botToken,
    signingSecret,
    sent: () => fake.requests.filter((request) => accepted.has(request)),
    failNextWithError: (error) => {
      slackErrors.push(error);
    },
    signedWebhook: (payload, timestampSeconds) =>
      sign(JSON.stringify(payload), 'application/json', timestampSeconds),
    signedInteraction: (payload, timestampSeconds) =>
      sign(
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
        timestampSeconds,
      ),
    messageEvent: ({ user, channel, text }) => {
      const id = nextEvent++;
      return {
        token: 'verification-token',
        team_id: 'T0FAKE',
        api_app_id: 'A0FAKE',
        type: 'event_callback',
        event_id: `Ev${String(id).padStart(8, '0')}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'message',
          channel,
          user,
          text,
          ts: `${Math.floor(Date.now() / 1000)}.${String(id).padStart(6, '0')}`,
          channel_type: channel.startsWith('D') ? 'im' : 'channel',
        },
      };
    },
    buttonPress: ({ user, channel, title, value }) => {
      const id = nextEvent++;
      return {
        type: 'block_actions',
        user: { id: user },
        channel: { id: channel },
        container: { type: 'message', channel_id: channel },
        trigger_id: `${id}.1.fake-trigger`,
        actions: [
          {
            type: 'button',
            action_id: 'choice-0',
            block_id: 'b1',
            text: { type: 'plain_text', text: title },
            value,
            action_ts: `${Math.floor(Date.now() / 1000)}.${id}`,
          },
        ],
      };
    },
  };
}

function slackError(error: string): FakeAnswer {
  return { status: 200, body: { ok: false, error } };
}

function scriptedFailure(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  if (failure.status === 429) {
    return {
      status: 429,
      headers: { 'retry-after': String(failure.retryAfterSeconds ?? 1) },
      body: { ok: false, error: 'ratelimited' },
    };
  }
  if (failure.status >= 500)
    return { status: failure.status, headers, body: { ok: false, error: 'internal_error' } };
  return { status: failure.status, headers, body: { ok: false, error: 'invalid_arguments' } };
}

/** The checks Slack makes that our renderings could fail: known block types and their required fields. */
function checkBlocks(blocks: unknown): string | null {
  if (!Array.isArray(blocks) || blocks.length > 50) return '[ERROR] blocks must be an array of at most 50';
  for (const [index, block] of blocks.entries()) {
    const where = `[json-pointer:/blocks/${index}]`;
    if (typeof block !== 'object' || block === null) return `[ERROR] not an object ${where}`;
    const { type, ...fields } = block as Record<string, unknown>;
    switch (type) {
      case 'section':
      case 'divider':
        break;
      case 'image':
        if (typeof fields.image_url !== 'string' || typeof fields.alt_text !== 'string') {
          return `[ERROR] image needs image_url and alt_text ${where}`;
        }
        break;
      case 'actions': {
        const elements = fields.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) {
          return `[ERROR] actions need 1 to 25 elements ${where}`;
        }
        for (const element of elements as Record<string, unknown>[]) {
          const text = (element.text as { text?: string } | undefined)?.text ?? '';
          if (element.type === 'button' && (text.length === 0 || text.length > 75)) {
            return `[ERROR] button text must be 1 to 75 characters ${where}`;
          }
          if (element.type === 'static_select' && !Array.isArray(element.options)) {
            return `[ERROR] static_select needs options ${where}`;
          }
        }
        break;
      }
      default:
        return `[ERROR] unknown block type ${String(type)} ${where}`;
    }
  }
  return null;
}
