import { constantTimeEqual, header, hmac } from '@switchboard/channel-common';
import type { DirectResponse, InboundRequest, VerifyResult } from '@switchboard/contracts';
import type { MessengerConfig } from './config.js';

/**
 * Meta signs each webhook POST with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body,
 * keyed with the app secret>`. Meta sends no timestamp, so there is no replay window to check.
 */
export function verifyMessengerRequest(request: InboundRequest, config: MessengerConfig): VerifyResult {
  if (request.method === 'GET') {
    // The subscription handshake carries no signature: the verify token is its proof.
    return isValidHandshake(request, config)
      ? { ok: true }
      : { ok: false, status: 403, reason: 'hub.verify_token does not match' };
  }
  const signature = header(request, 'x-hub-signature-256');
  if (signature === undefined) return { ok: false, status: 401, reason: 'missing X-Hub-Signature-256' };
  const expected = `sha256=${messengerSignature(config.appSecret, request.rawBody)}`;
  return constantTimeEqual(signature.trim().toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, status: 401, reason: 'X-Hub-Signature-256 does not match the body' };
}

/** The hex HMAC-SHA256 of the body under the app secret, as Meta computes it. */
export function messengerSignature(appSecret: string, body: Buffer | string): string {
  return hmac('sha256', appSecret, body, 'hex');
}

/** `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` → the challenge, echoed as it came. */
export function answerMessengerHandshake(
  request: InboundRequest,
  config: MessengerConfig,
): DirectResponse | null {
  if (request.method !== 'GET' || request.query['hub.mode'] === undefined) return null;
  if (!isValidHandshake(request, config)) return { status: 403, body: 'verify token mismatch' };
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: request.query['hub.challenge'] ?? '',
  };
}

function isValidHandshake(request: InboundRequest, config: MessengerConfig): boolean {
  const token = request.query['hub.verify_token'];
  return (
    request.query['hub.mode'] === 'subscribe' &&
    token !== undefined &&
    constantTimeEqual(token, config.verifyToken)
  );
}
