import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { fromBase64Url, header, isRecord, parseJson } from '@switchboard/channel-common';
import type { InboundRequest, VerifyContext, VerifyResult } from '@switchboard/contracts';
import { type BotFrameworkJwk, botFrameworkIssuer, type JsonWebKeySet, type TeamsConfig } from './config.js';

/**
 * The Bot Connector's keys, fetched by the gateway from `botFrameworkOpenIdMetadataUrl` → `jwks_uri`
 * and cached (Microsoft rotates them; refetch on an unknown `kid`). The adapter stays pure: it never
 * fetches, it checks the token against the keys it is given.
 */
export interface TeamsVerifyContext extends VerifyContext {
  jwks?: JsonWebKeySet;
}

/** Bot Framework allows five minutes of clock skew on `exp` and `nbf`. */
const clockSkewSeconds = 300;

type Rejection = Extract<VerifyResult, { ok: false }>;
const reject = (reason: string): Rejection => ({ ok: false, status: 401, reason });

/**
 * Checks the Bot Connector's bearer token the documented way: an RS256 JWT whose signature verifies
 * with a published key (that key endorsed for the activity's channel when it lists endorsements), `iss`
 * https://api.botframework.com, `aud` the bot's app id, within `nbf`/`exp` (five minutes' skew), and a
 * `serviceUrl` claim equal to the activity's `serviceUrl`.
 */
export function verifyTeamsRequest(
  request: InboundRequest,
  config: TeamsConfig,
  ctx: TeamsVerifyContext,
): VerifyResult {
  if (request.method !== 'POST')
    return { ok: false, status: 403, reason: 'Bot Framework only posts activities' };
  const authorization = header(request, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) return reject('missing bearer token');
  const token = decodeJwt(match[1]);
  if (token === undefined) return reject('malformed token');
  if (token.header.alg !== 'RS256') return reject(`token algorithm ${String(token.header.alg)} is not RS256`);

  const keys = ctx.jwks ?? config.jwks;
  if (keys === undefined) return reject('no Bot Framework signing keys available');
  const key = keys.keys.find((candidate) => candidate.kid === token.header.kid);
  if (key === undefined) return reject('token signed with an unknown key');
  if (!signatureMatches(token, key)) return reject('token signature does not verify');

  const claims = token.payload;
  if (claims.iss !== botFrameworkIssuer) return reject('token issuer is not Bot Framework');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(config.appId)) return reject("token audience is not this bot's app id");
  if (typeof claims.exp !== 'number' || ctx.nowSeconds > claims.exp + clockSkewSeconds)
    return reject('token expired');
  if (typeof claims.nbf === 'number' && ctx.nowSeconds < claims.nbf - clockSkewSeconds)
    return reject('token not yet valid');

  const activity = parseJson(request.rawBody);
  if (!isRecord(activity)) return reject('body is not an activity');
  if (typeof claims.serviceUrl !== 'string' || claims.serviceUrl !== activity.serviceUrl) {
    return reject("token serviceUrl does not match the activity's");
  }
  const channelId = activity.channelId;
  if (
    key.endorsements !== undefined &&
    (typeof channelId !== 'string' || !key.endorsements.includes(channelId))
  ) {
    return reject(`signing key is not endorsed for channel ${String(channelId)}`);
  }
  return { ok: true };
}

interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signedPart: string;
  signature: Buffer;
}

function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const headerBytes = fromBase64Url(headerPart);
  const payloadBytes = fromBase64Url(payloadPart);
  const signature = fromBase64Url(signaturePart);
  if (!headerBytes || !payloadBytes || !signature) return undefined;
  const decodedHeader = parseJson(headerBytes);
  const payload = parseJson(payloadBytes);
  if (!isRecord(decodedHeader) || !isRecord(payload)) return undefined;
  return { header: decodedHeader, payload, signedPart: `${headerPart}.${payloadPart}`, signature };
}

function signatureMatches(token: DecodedJwt, jwk: BotFrameworkJwk): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    return verifySignature('RSA-SHA256', Buffer.from(token.signedPart, 'utf8'), publicKey, token.signature);
  } catch {
    // A key Node cannot read (not RSA, bad modulus) verifies nothing.
    return false;
  }
}
