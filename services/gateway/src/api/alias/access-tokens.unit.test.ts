import { hkdfSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens, AUDIENCE, ISSUER } from './access-tokens.js';
import { formatScope, parseRequestedScope } from './scopes.js';

const KEY = 'ab'.repeat(32);
const CLIENT = '0b5f4b0e-33a4-4c5e-9d3f-2a1c7e3b9f10';
const HASH = 'c'.repeat(64);
const grantOf = (scope?: string) => {
  const parsed = parseRequestedScope(scope);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.grant;
};

const at = (iso: string) => () => new Date(iso);

describe('access tokens', () => {
  it('are HS256 JWTs with the RFC 9068 claims, expiring after an hour', async () => {
    const tokens = new AccessTokens(KEY, at('2024-05-01T10:00:00Z'));
    const { token, scope } = await tokens.issue(CLIENT, grantOf('client:send channel:notifications'), HASH);
    expect(scope).toBe('client:send channel:notifications');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: CLIENT,
      client_id: CLIENT,
      scope,
      cred: expect.any(String),
      iat: Date.parse('2024-05-01T10:00:00Z') / 1000,
      exp: Date.parse('2024-05-01T11:00:00Z') / 1000,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(claims)).not.toContain(HASH);
  });

  it('verify while unexpired, with the grant they were issued with', async () => {
    const issued = await new AccessTokens(KEY, at('2024-05-01T10:00:00Z')).issue(CLIENT, grantOf(), HASH);
    const verified = await new AccessTokens(KEY, at('2024-05-01T10:59:00Z')).verify(issued.token);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.token.clientId).toBe(CLIENT);
    expect(formatScope(verified.token.grant)).toBe(issued.scope);
    expect(verified.token.expiresAt).toEqual(new Date('2024-05-01T11:00:00Z'));
  });

  it('are refused once expired', async () => {
    const issued = await new AccessTokens(KEY, at('2024-05-01T10:00:00Z')).issue(CLIENT, grantOf(), HASH);
    const verified = await new AccessTokens(KEY, at('2024-05-01T11:00:01Z')).verify(issued.token);
    expect(verified).toEqual({ ok: false, reason: 'the access token has expired' });
  });

  it('agree across replicas sharing SECRETS_KEY, and not with another key', async () => {
    const issued = await new AccessTokens(KEY).issue(CLIENT, grantOf(), HASH);
    expect((await new AccessTokens(KEY).verify(issued.token)).ok).toBe(true);
    expect(await new AccessTokens('cd'.repeat(32)).verify(issued.token)).toEqual({
      ok: false,
      reason: 'the access token is invalid',
    });
  });

  it('refuse a tampered token, an unsigned one, garbage, and a JWT of another audience or type', async () => {
    const tokens = new AccessTokens(KEY);
    const { token } = await tokens.issue(CLIENT, grantOf('contact'), HASH);
    const [header, , signature] = token.split('.');
    const widened = Buffer.from(
      JSON.stringify({ ...decodeJwt(token), scope: formatScope(grantOf()) }),
    ).toString('base64url');
    expect((await tokens.verify(`${header}.${widened}.${signature}`)).ok).toBe(false);

    const unsigned = new UnsecuredJWT({ ...decodeJwt(token) }).encode();
    expect((await tokens.verify(unsigned)).ok).toBe(false);
    expect((await tokens.verify('not-a-jwt')).ok).toBe(false);

    const key = new Uint8Array(
      hkdfSync(
        'sha256',
        Buffer.from(KEY, 'hex'),
        '',
        'switchboard alias client api access token signing key v1',
        32,
      ),
    );
    const sign = (typ: string, aud: string) =>
      new SignJWT({ ...decodeJwt(token), aud }).setProtectedHeader({ alg: 'HS256', typ }).sign(key);
    // Same key and claims: accepted, so the two refusals below are about the type and the audience.
    expect((await tokens.verify(await sign('at+jwt', AUDIENCE))).ok).toBe(true);
    expect((await tokens.verify(await sign('JWT', AUDIENCE))).ok).toBe(false);
    expect((await tokens.verify(await sign('at+jwt', 'someone-else'))).ok).toBe(false);
  });

  it('are bound to the client secret they were issued against', async () => {
    const tokens = new AccessTokens(KEY);
    const verified = await tokens.verify((await tokens.issue(CLIENT, grantOf(), HASH)).token);
    if (!verified.ok) throw new Error(verified.reason);
    expect(tokens.credentialMatches(verified.token, HASH)).toBe(true);
    expect(tokens.credentialMatches(verified.token, 'd'.repeat(64))).toBe(false);
  });
});
