import type { FastifyRequest } from 'fastify';

/**
 * PostgreSQL's `text` and `jsonb` cannot hold the NUL character (U+0000): a value carrying one would
 * fail the append or the query it reaches, a 500 for what is bad input. Requests are checked here,
 * once, for every dialect; provider traffic, which must not be refused for it, is cleaned instead.
 */

const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';
/** `%00` in a path or query string decodes to NUL. */
const ENCODED_NUL = /%00/;

/** Whether a parsed body (JSON or form) holds NUL in any string, key or value. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, inner] of Object.entries(value))
      if (key.includes(NUL) || containsNul(inner)) return true;
  }
  return false;
}

/** The value with every NUL in its strings (keys too) replaced by U+FFFD; the same value when it had none. */
export function withoutNul<T>(value: T): T {
  if (!containsNul(value)) return value;
  return replaceNul(value) as T;
}

function replaceNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(NUL, REPLACEMENT);
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replaceAll(NUL, REPLACEMENT), replaceNul(v)]),
    );
  }
  return value;
}

export class NulCharacterError extends Error {
  readonly statusCode = 400;
  readonly code = 'SB_NUL_CHARACTER';
  constructor(where: 'url' | 'body') {
    super(`the request's ${where} holds a NUL character (U+0000), which cannot be stored`);
    this.name = 'NulCharacterError';
  }
}

/**
 * A `preValidation` hook refusing (400, in the error format of the route's dialect) a request whose
 * path, query or body holds NUL. Added on the root instance before the dialects, so it runs for each
 * of their routes.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  if (ENCODED_NUL.test(request.url)) throw new NulCharacterError('url');
  if (containsNul(request.body)) throw new NulCharacterError('body');
}
