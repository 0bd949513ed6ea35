import type { InboundRequest } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * A provider's webhook as the adapters read it: the body as raw bytes (signatures cover them), header
 * names in lower case, and the public URL the provider called (Twilio signs it): `publicUrl` when the
 * gateway runs behind a proxy that changes scheme or host, else the request's own.
 */
export function inboundRequest(request: FastifyRequest, publicUrl: string | undefined): InboundRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[name] = Array.isArray(value)
      ? String(value[value.length - 1])
      : value === undefined
        ? undefined
        : String(value);
  }
  const base = publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  return {
    method: request.method === 'GET' ? 'GET' : 'POST',
    url: `${base}${request.url}`,
    headers,
    query,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}
