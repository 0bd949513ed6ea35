import { createHmac, randomBytes } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Messenger Send API (`POST /<version>/me/messages?access_token=…`, JSON). It checks the page
 * access token and the body as the Graph API does, answers with Graph's bodies (`{ recipient_id,
 * message_id }`, `{ error: { message, type, code, fbtrace_id } }` — Graph answers a bad token with
 * 400 and code 190), and signs webhooks as Meta does (`X-Hub-Signature-256: sha256=<hex HMAC>`).
 */

export interface MessengerFakeOptions {
  appSecret?: string;
  pageAccessToken?: string;
  verifyToken?: string;
}

export interface MessengerFake extends HttpFake {
  appSecret: string;
  pageAccessToken: string;
  verifyToken: string;
  /** The message ids the fake handed out, in order. */
  sentMessageIds: string[];
  /** A webhook body and the headers Meta would send with it, signed with the app secret. */
  signedWebhook(payload: unknown): { headers: Record<string, string>; body: string };
}

export async function startMessengerFake(options: MessengerFakeOptions = {}): Promise<MessengerFake> {
  const appSecret = options.appSecret ?? `app-secret-${randomBytes(6).toString('hex')}`;
  const pageAccessToken = options.pageAccessToken ?? `EAAG${randomBytes(12).toString('hex')}`;
  const verifyToken = options.verifyToken ?? `verify-${randomBytes(6).toString('hex')}`;
  const sentMessageIds: string[] = [];

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    if (request.method !== 'POST' || !/^\/v\d+\.\d+\/me\/messages$/.test(request.path)) {
      return graphError(400, `Unknown path components: ${request.path}`, 2500);
    }
    if (request.query.access_token !== pageAccessToken) {
      return graphError(400, 'Invalid OAuth access token - Cannot parse access token', 190);
    }
    const failure = takeFailure();
    if (failure) return failureAnswer(failure);
    const body = request.json;
    if (!isRecord(body)) return graphError(400, '(#100) The request body must be JSON', 100);
    const recipientId = isRecord(body.recipient) ? body.recipient.id : undefined;
    if (typeof recipientId !== 'string' || recipientId.length === 0) {
      return graphError(400, '(#100) The parameter recipient is required', 100);
    }
    if (typeof body.sender_action === 'string') return { status: 200, body: { recipient_id: recipientId } };
    const problem = isRecord(body.message)
      ? messageProblem(body.message)
      : 'param message must be non-empty.';
    if (problem !== undefined) return graphError(400, `(#100) ${problem}`, 100);
    const messageId = `m_${randomBytes(12).toString('base64url')}`;
    sentMessageIds.push(messageId);
    return { status: 200, body: { recipient_id: recipientId, message_id: messageId } };
  });

  return {
    ...fake,
    appSecret,
    pageAccessToken,
    verifyToken,
    sentMessageIds,
    signedWebhook: (payload) => {
      const body = JSON.stringify(payload);
      const signature = createHmac('sha256', appSecret).update(body).digest('hex');
      return {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
        body,
      };
    },
  };
}

/** The Send API's documented limits, checked so a rendering that breaks them fails here as it would there. */
function messageProblem(message: Record<string, unknown>): string | undefined {
  if (message.text === undefined && message.attachment === undefined)
    return 'param message must be non-empty.';
  if (typeof message.text === 'string' && message.text.length > 2000) {
    return 'param message[text] must have at most 2000 characters';
  }
  if (Array.isArray(message.quick_replies)) {
    if (message.quick_replies.length > 13)
      return 'param message[quick_replies] must have at most 13 elements';
    for (const reply of message.quick_replies) {
      if (!isRecord(reply) || typeof reply.title !== 'string' || reply.title.length > 20) {
        return 'quick reply title must be at most 20 characters';
      }
    }
  }
  const attachment = isRecord(message.attachment) ? message.attachment : undefined;
  const payload = isRecord(attachment?.payload) ? attachment.payload : undefined;
  if (attachment?.type === 'template' && payload?.template_type === 'generic') {
    const elements = Array.isArray(payload.elements) ? payload.elements : [];
    if (elements.length === 0 || elements.length > 10) return 'param elements must have 1 to 10 elements';
    for (const element of elements) {
      if (!isRecord(element) || typeof element.title !== 'string' || element.title.length > 80) {
        return 'element title must be at most 80 characters';
      }
      if (Array.isArray(element.buttons) && element.buttons.length > 3)
        return 'param buttons must have at most 3 elements';
    }
  } else if (attachment !== undefined && typeof payload?.url !== 'string') {
    return 'param message[attachment][payload][url] is required';
  }
  return undefined;
}

function failureAnswer(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  if (failure.status === 429) {
    return { ...graphError(429, '(#613) Calls to this api have exceeded the rate limit.', 613), headers };
  }
  if (failure.status >= 500)
    return { ...graphError(failure.status, 'An unexpected error has occurred.', 2), headers };
  return { ...graphError(failure.status, '(#100) Invalid parameter', 100), headers };
}

function graphError(status: number, message: string, code: number): FakeAnswer {
  return {
    status,
    body: {
      error: { message, type: 'OAuthException', code, fbtrace_id: randomBytes(8).toString('base64url') },
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
