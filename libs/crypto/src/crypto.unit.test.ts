import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from './secret-box.js';
import { hashToken, newToken, tokenMatches } from './tokens.js';

const key = 'a'.repeat(64);

describe('tokens', () => {
  it('are 256 random bits and differ every time', () => {
    const a = newToken();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newToken()).not.toBe(a);
  });

  it('match their hash and nothing else', () => {
    const token = newToken();
    const stored = hashToken(token);
    expect(stored).not.toContain(token);
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(`${token}x`, stored)).toBe(false);
    expect(tokenMatches(token, 'abcd')).toBe(false);
  });
});

describe('SecretBox', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt('bot-token-123');
    expect(sealed).not.toContain('bot-token-123');
    expect(box.decrypt(sealed)).toBe('bot-token-123');
    expect(box.encrypt('bot-token-123')).not.toBe(sealed);
    expect(box.decryptJson(box.encryptJson({ a: 1 }))).toEqual({ a: 1 });
  });

  it('refuses a tampered ciphertext or another key', () => {
    const sealed = new SecretBox(key).encrypt('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString('base64url');
    expect(() => new SecretBox(key).decrypt(parts.join('.'))).toThrow(SecretBoxError);
    expect(() => new SecretBox('b'.repeat(64)).decrypt(sealed)).toThrow(SecretBoxError);
  });

  it('fingerprints equal values alike whatever their key order, and differently under another key', () => {
    const box = new SecretBox(key);
    expect(box.fingerprint({ a: 1, b: 'x' })).toBe(box.fingerprint({ b: 'x', a: 1 }));
    expect(box.fingerprint({ a: 1, b: 'x' })).not.toBe(box.fingerprint({ a: 1, b: 'y' }));
    expect(new SecretBox('b'.repeat(64)).fingerprint({ a: 1 })).not.toBe(box.fingerprint({ a: 1 }));
    expect(box.fingerprint({ token: 'secret' })).not.toContain('secret');
  });

  it('rejects a key of the wrong size', () => {
    expect(() => new SecretBox('abc')).toThrow(/SECRETS_KEY/);
  });
});
