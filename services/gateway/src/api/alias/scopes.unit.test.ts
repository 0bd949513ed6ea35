import { describe, expect, it } from 'vitest';
import {
  allowsChannel,
  CLIENT_SCOPES,
  formatScope,
  grantFromScopeClaim,
  parseRequestedScope,
} from './scopes.js';

describe('requested scopes', () => {
  it('grant every client scope and every channel when none is requested', () => {
    const parsed = parseRequestedScope(undefined);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.grant.scopes]).toEqual([...CLIENT_SCOPES]);
    expect(formatScope(parsed.grant)).toBe(
      'client:connections client:send client:outbound_messages contact nickname channel:*',
    );
    expect(allowsChannel(parsed.grant, 'anything')).toBe(true);
  });

  it('grant exactly what is requested, in a canonical order, channels by name', () => {
    const parsed = parseRequestedScope('channel:notifications contact  client:send channel:_meta contact');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(formatScope(parsed.grant)).toBe('client:send contact channel:_meta channel:notifications');
    expect(allowsChannel(parsed.grant, 'notifications')).toBe(true);
    expect(allowsChannel(parsed.grant, 'product_updates')).toBe(false);
  });

  it('refuse an unknown scope, a bad channel name and an empty scope', () => {
    expect(parseRequestedScope('client:connections admin')).toEqual({
      ok: false,
      reason: 'unknown scope admin',
    });
    expect(parseRequestedScope('channel:')).toMatchObject({ ok: false, reason: /invalid channel name/ });
    expect(parseRequestedScope('channel:a/b')).toMatchObject({ ok: false });
    expect(parseRequestedScope('openid')).toMatchObject({ ok: false });
    expect(parseRequestedScope(' ')).toEqual({ ok: false, reason: 'scope is empty' });
  });

  it('round-trip through the token claim', () => {
    const parsed = parseRequestedScope('nickname channel:*');
    if (!parsed.ok) throw new Error(parsed.reason);
    const grant = grantFromScopeClaim(formatScope(parsed.grant));
    expect(grant && formatScope(grant)).toBe('nickname channel:*');
    expect(grantFromScopeClaim(42)).toBeNull();
    expect(grantFromScopeClaim('root')).toBeNull();
  });
});
