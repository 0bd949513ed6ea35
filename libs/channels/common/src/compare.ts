import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets or signatures in constant time. Lengths are not secret (signatures have a fixed
 * length), so a length mismatch returns early; the contents are compared with `timingSafeEqual`.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
