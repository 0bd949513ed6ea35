import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const EVENT_ID_HEADER = 'x-switchboard-event-id';
export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';

/**
 * A webhook token as a signing key: made once per token, not once per signature (the string's
 * conversion to a key is a good part of signing a short body).
 */
export const signingKey = (token: string): KeyObject => createSecretKey(token, 'utf8');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(token, "<t>.<raw body>")>` */
export function signatureHeader(token: string | KeyObject, unixSeconds: number, rawBody: string): string {
  // Two updates: joining the prefix to the body first would copy the body (a quarter of the signing).
  const mac = createHmac('sha256', token).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Checks a signature header against the raw body, and that its timestamp is within `toleranceSeconds`
 * of `nowSeconds`. The receiver's side; docs/webhooks.md gives the same check for clients to copy.
 */
export function verifySignatureHeader(
  token: string,
  header: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', token).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
