import { createHash, createHmac } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64' | 'base64url';

type Bytes = string | Buffer;

/** HMAC of `data` under `key`, encoded as the provider sends it. */
export function hmac(algorithm: HmacAlgorithm, key: Bytes, data: Bytes, encoding: DigestEncoding): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

/** Raw HMAC bytes, for schemes that compare or re-encode them. */
export function hmacBytes(algorithm: HmacAlgorithm, key: Bytes, data: Bytes): Buffer {
  return createHmac(algorithm, key).update(data).digest();
}

export function sha256(data: Bytes, encoding: DigestEncoding): string {
  return createHash('sha256').update(data).digest(encoding);
}

/** Decodes base64url (JWT segments); returns null when the text is not base64url. */
export function fromBase64Url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return Buffer.from(text, 'base64url');
}
