import type { ProviderRequest } from '@switchboard/contracts';
import { encodeForm } from './form.js';

/** A provider request ready for `fetch`: absolute URL, headers with the content type, body text. */
export interface WireRequest {
  url: string;
  method: ProviderRequest['method'];
  headers: Record<string, string>;
  body?: string;
}

/**
 * Serializes a rendered request against the provider's base URL (configurable, so tests and the
 * connectors can point at a fake). The base URL may carry a path prefix; it is kept.
 */
export function toWireRequest(baseUrl: string, request: ProviderRequest): WireRequest {
  const url = baseUrl.replace(/\/+$/, '') + request.path;
  const headers = { ...request.headers };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (request.body === undefined) return { url, method: request.method, headers };
  switch (request.body.kind) {
    case 'json':
      if (!hasContentType) headers['content-type'] = 'application/json; charset=utf-8';
      return { url, method: request.method, headers, body: JSON.stringify(request.body.value) };
    case 'form':
      if (!hasContentType) headers['content-type'] = 'application/x-www-form-urlencoded';
      return { url, method: request.method, headers, body: encodeForm(request.body.value) };
    default: {
      const unknownBody: never = request.body;
      throw new Error(`unknown body kind: ${JSON.stringify(unknownBody)}`);
    }
  }
}

/** `Authorization: Basic …` for a user name and password (Twilio, Vonage). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
