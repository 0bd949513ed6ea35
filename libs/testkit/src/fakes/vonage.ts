import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  type RecordedRequest,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Vonage Messages API v1 (https://developer.vonage.com/en/api/messages): `POST /v1/messages`
 * with HTTP Basic (API key:secret) and a JSON body; answers 202 `{ message_uuid }`, or an RFC 7807
 * problem `{ type, title, detail, instance }` (401 for bad credentials, 422 for invalid parameters, 429
 * when throttled). It signs webhooks as Vonage does: `Authorization: Bearer <JWT>`, HS256 under the
 * signature secret, with `iat`, `jti`, `iss`, `api_key` and `payload_hash` (hex SHA-256 of the body).
 */

export interface VonageFakeOptions {
  apiKey?: string;
  apiSecret?: string;
  signatureSecret?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface VonageFake extends HttpFake {
  apiKey: string;
  apiSecret: string;
  signatureSecret: string;
  /** The accepted message sends, in order. */
  sent(): RecordedRequest[];
  /** A webhook body signed as Vonage would, its token issued at `issuedAtSeconds` (default now). */
  signedWebhook(payload: object, issuedAtSeconds?: number): SignedWebhook;
  /** An inbound SMS webhook body, with a fresh `message_uuid`. */
  inboundText(options: { from: string; to: string; text: string; channel?: string }): Record<string, unknown>;
  /** A message status webhook body for a message we sent. */
  statusUpdate(options: {
    messageUuid: string;
    status: string;
    error?: { title: string; detail?: string };
  }): Record<string, unknown>;
}

const mediaTypes = new Set(['image', 'audio', 'video', 'file', 'vcard']);

export async function startVonageFake(options: VonageFakeOptions = {}): Promise<VonageFake> {
  const apiKey = options.apiKey ?? 'abcd1234';
  const apiSecret = options.apiSecret ?? 'vonage-fake-api-secret';
  const signatureSecret = options.signatureSecret ?? 'vonage-fake-signature-secret';
  const expectedAuthorization = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;
  const accepted = new Set<RecordedRequest>();

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    if (request.method !== 'POST' || request.path !== '/v1/messages') {
      return problem(
        404,
        'not-found',
        'Not Found',
        'The requested resource does not exist, or you do not have access to it.',
      );
    }
    if (request.headers.authorization !== expectedAuthorization) {
      return problem(401, 'unauthorized', 'Unauthorized', 'You did not provide correct credentials.');
    }
    const body = request.json;
    if (typeof body !== 'object' || body === null) {
      return problem(400, 'bad-request', 'Bad Request', 'The request body did not contain valid JSON.');
    }
    const invalid = invalidParameters(body as Record<string, unknown>);
    if (invalid.length > 0) {
      const answer = problem(
        422,
        'invalid-params',
        'Invalid params',
        'The value of one or more parameters is invalid.',
      );
      return { ...answer, body: { ...(answer.body as object), invalid_parameters: invalid } };
    }
    const failure = takeFailure();
    if (failure) return scriptedFailure(failure);
    accepted.add(request);
    return { status: 202, body: { message_uuid: randomUUID() } };
  });

  return {
    ...fake,
    apiKey,
    apiSecret,
    signatureSecret,
    sent: () => fake.requests.filter((request) => accepted.has(request)),
    signedWebhook: (payload, issuedAtSeconds = Math.floor(Date.now() / 1000)) => {
      const body = JSON.stringify(payload);
      const claims = {
        iat: issuedAtSeconds,
        jti: randomUUID(),
        iss: 'Vonage',
        payload_hash: createHash('sha256').update(body).digest('hex'),
        api_key: apiKey,
        application_id: '00000000-0000-4000-8000-000000000000',
      };
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
      const signature = createHmac('sha256', signatureSecret).update(unsigned).digest('base64url');
      return {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${unsigned}.${signature}` },
        body,
      };
    },
    inboundText: ({ from, to, text, channel = 'sms' }) => ({
      channel,
      message_uuid: randomUUID(),
      to,
      from,
      timestamp: new Date().toISOString(),
      message_type: 'text',
      text,
      ...(channel === 'sms' ? { sms: { num_messages: '1' } } : {}),
    }),
    statusUpdate: ({ messageUuid, status, error }) => ({
      message_uuid: messageUuid,
      to: '447700900000',
      from: '447700900001',
      timestamp: new Date().toISOString(),
      status,
      channel: 'sms',
      ...(error === undefined
        ? {}
        : { error: { type: 'https://developer.vonage.com/api-errors/messages#1320', ...error } }),
    }),
  };
}

function invalidParameters(message: Record<string, unknown>): { name: string; reason: string }[] {
  const invalid: { name: string; reason: string }[] = [];
  for (const name of ['message_type', 'to', 'from', 'channel']) {
    if (typeof message[name] !== 'string' || message[name] === '')
      invalid.push({ name, reason: 'Is required.' });
  }
  const type = message.message_type;
  if (type === 'text' && (typeof message.text !== 'string' || message.text.length === 0)) {
    invalid.push({ name: 'text', reason: 'Is required.' });
  }
  if (typeof type === 'string' && mediaTypes.has(type)) {
    const part = message[type] as { url?: unknown } | undefined;
    if (typeof part?.url !== 'string') invalid.push({ name: `${type}.url`, reason: 'Is required.' });
  }
  if (message.channel === 'sms' && type !== 'text') {
    invalid.push({ name: 'message_type', reason: 'Must be text for the sms channel.' });
  }
  return invalid;
}

function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers?: Record<string, string>,
): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: `https://developer.vonage.com/api-errors#${code}`, title, detail, instance: randomUUID() },
  };
}

function scriptedFailure(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  if (failure.status === 429) {
    return problem(429, 'throttled', 'Rate Limit Hit', 'Please wait, then retry your request', headers);
  }
  if (failure.status === 400) {
    return problem(
      400,
      'invalid-sender',
      'Invalid sender',
      'The `from` parameter is invalid for the given channel.',
      headers,
    );
  }
  if (failure.status >= 500)
    return problem(failure.status, 'internal-error', 'Internal Error', 'Something went wrong.', headers);
  return problem(failure.status, 'error', 'Error', 'The request failed.', headers);
}
