import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, signingKey, verifySignatureHeader } from './signature.js';

const token = 'whk_0123456789abcdef';
const body = '{"id":"e1","type":"message.new","data":{"x":1}}';

describe('webhook signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256(token, "<t>.<body>")>', () => {
    const expected = createHmac('sha256', token).update(`1767225600.${body}`).digest('hex');
    expect(signatureHeader(token, 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('is the same signed with the token made a key once, for a token of any characters', () => {
    for (const t of [token, 'jeton-é-✓-𝄞', 'x'.repeat(100)]) {
      expect(signatureHeader(signingKey(t), 1767225600, body)).toBe(signatureHeader(t, 1767225600, body));
    }
  });

  it('verifies for the same token, body and a recent timestamp', () => {
    const header = signatureHeader(token, 1_000, body);
    expect(verifySignatureHeader(token, header, body, 1_000)).toBe(true);
    expect(verifySignatureHeader(token, header, body, 1_299)).toBe(true);
  });

  it('fails on a tampered body, another token, a changed timestamp or an old signature', () => {
    const header = signatureHeader(token, 1_000, body);
    expect(verifySignatureHeader(token, header, body.replace('"x":1', '"x":2'), 1_000)).toBe(false);
    expect(verifySignatureHeader('another-token', header, body, 1_000)).toBe(false);
    expect(verifySignatureHeader(token, header.replace('t=1000', 't=1001'), body, 1_000)).toBe(false);
    expect(verifySignatureHeader(token, header, body, 1_301)).toBe(false);
    expect(verifySignatureHeader(token, 'v1=deadbeef', body, 1_000)).toBe(false);
  });
});
