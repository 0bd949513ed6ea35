import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { formatScope, type Grant, grantFromScopeClaim } from './scopes.js';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const ISSUER = 'switchboard';
export const AUDIENCE = 'switchboard:api/client';
/** RFC 9068's media type for JWT access tokens: an ID token or another JWT is not accepted as one. */
const TYPE = 'at+jwt';
const HKDF_INFO = 'switchboard alias client api access token signing key v1';

export interface VerifiedToken {
  clientId: string;
  grant: Grant;
  /** Binds the token to the client secret it was issued for: rotating the secret revokes it. */
  credential: string;
  expiresAt: Date;
}

export type Verification = { ok: true; token: VerifiedToken } | { ok: false; reason: string };

/**
 * Signs and verifies the Alias dialect's access tokens (HS256 JWTs, RFC 9068 claims). The key is
 * derived from `SECRETS_KEY` with HKDF, so every gateway replica agrees without another variable and
 * the derived key is useless for opening sealed secrets.
 */
export class AccessTokens {
  readonly #key: Uint8Array;

  constructor(
    secretsKeyHex: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#key = new Uint8Array(hkdfSync('sha256', Buffer.from(secretsKeyHex, 'hex'), '', HKDF_INFO, 32));
  }

  /** A short keyed digest of the client's stored secret hash: changes when the secret is rotated. */
  credentialOf(tokenHash: string): string {
    return createHmac('sha256', this.#key).update(tokenHash).digest().subarray(0, 16).toString('base64url');
  }

  credentialMatches(token: VerifiedToken, tokenHash: string): boolean {
    const a = Buffer.from(token.credential);
    const b = Buffer.from(this.credentialOf(tokenHash));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async issue(clientId: string, grant: Grant, tokenHash: string): Promise<{ token: string; scope: string }> {
    const scope = formatScope(grant);
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const token = await new SignJWT({ scope, client_id: clientId, cred: this.credentialOf(tokenHash) })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(this.#key);
    return { token, scope };
  }

  async verify(token: string): Promise<Verification> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'scope', 'client_id', 'cred'],
        currentDate: this.now(),
      });
      const grant = grantFromScopeClaim(payload.scope);
      if (!grant || payload.client_id !== payload.sub || typeof payload.cred !== 'string' || !payload.sub)
        return { ok: false, reason: 'the access token is malformed' };
      return {
        ok: true,
        token: {
          clientId: payload.sub,
          grant,
          credential: payload.cred,
          expiresAt: new Date((payload.exp ?? 0) * 1000),
        },
      };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'the access token has expired' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'the access token is invalid' };
      throw error;
    }
  }
}
