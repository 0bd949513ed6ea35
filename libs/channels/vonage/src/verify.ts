import {
  constantTimeEqual,
  fromBase64Url,
  header,
  hmac,
  isRecord,
  parseJson,
  sha256,
} from '@switchboard/channel-common';
import type { InboundRequest, VerifyContext, VerifyResult } from '@switchboard/contracts';
import type { VonageConfig } from './config.js';

/** How old (or early, for clock skew) a webhook's `iat` may be. */
export const vonageTokenToleranceSeconds = 5 * 60;

/**
 * Vonage signed webhooks (https://developer.vonage.com/en/messages/concepts/signed-webhooks): an
 * `Authorization: Bearer <JWT>` signed HS256 with the account's signature secret, whose claims carry
 * `iat` and `payload_hash` (hex SHA-256 of the body). Checked here with node:crypto: the algorithm,
 * the signature (constant time), `iat` within five minutes, `exp` when present, the body hash, and the
 * `api_key` claim when present.
 */
export function verifyVonage(
  request: InboundRequest,
  config: VonageConfig,
  ctx: VerifyContext,
): VerifyResult {
  const authorization = header(request, 'Authorization');
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (token === undefined) return fail('missing Authorization: Bearer token');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('malformed JWT');
  const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];
  const jwtHeader = decodeSegment(encodedHeader);
  const claims = decodeSegment(encodedClaims);
  if (!isRecord(jwtHeader) || !isRecord(claims)) return fail('malformed JWT');
  if (jwtHeader.alg !== 'HS256') return fail(`unexpected JWT algorithm ${String(jwtHeader.alg)}`);

  const expected = hmac('sha256', config.signatureSecret, `${encodedHeader}.${encodedClaims}`, 'base64url');
  if (!constantTimeEqual(encodedSignature, expected)) return fail('JWT signature does not match');

  if (typeof claims.iat !== 'number' || Math.abs(ctx.nowSeconds - claims.iat) > vonageTokenToleranceSeconds) {
    return fail('JWT iat outside the five-minute window');
  }
  if (typeof claims.exp === 'number' && claims.exp <= ctx.nowSeconds) return fail('JWT expired');
  if (claims.api_key !== undefined && claims.api_key !== config.apiKey)
    return fail('JWT api_key is not ours');
  const payloadHash = claims.payload_hash;
  if (typeof payloadHash !== 'string') return fail('JWT has no payload_hash');
  if (!constantTimeEqual(payloadHash.toLowerCase(), sha256(request.rawBody, 'hex'))) {
    return fail('payload_hash does not match the body');
  }
  return { ok: true };
}

function decodeSegment(segment: string): unknown {
  const bytes = fromBase64Url(segment);
  return bytes === null ? undefined : parseJson(bytes);
}

function fail(reason: string): VerifyResult {
  return { ok: false, status: 401, reason };
}
