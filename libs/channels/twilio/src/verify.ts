import { constantTimeEqual, header, hmac, sha256 } from '@switchboard/channel-common';
import type { InboundRequest, VerifyResult } from '@switchboard/contracts';
import type { TwilioConfig } from './config.js';

/**
 * Twilio's request validation (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * `X-Twilio-Signature` = base64 HMAC-SHA1 under the Auth Token of the full URL Twilio called, followed by
 * every POST parameter name and value, sorted by name. JSON bodies instead carry a `bodySHA256` query
 * parameter (hex SHA-256 of the body) and only the URL is signed. As Twilio's own libraries do, the URL
 * is also tried with its port removed or the default port added, since proxies differ on that.
 * Twilio signs no timestamp: replays are absorbed by the MessageSid dedupe.
 */
export function verifyTwilio(request: InboundRequest, config: TwilioConfig): VerifyResult {
  const signature = header(request, 'X-Twilio-Signature');
  if (signature === undefined) return { ok: false, status: 401, reason: 'missing X-Twilio-Signature' };
  const contentType = header(request, 'content-type') ?? '';
  const isForm = contentType.includes('application/x-www-form-urlencoded');
  if (!isForm) {
    const bodyHash = new URL(request.url).searchParams.get('bodySHA256');
    if (bodyHash === null) return { ok: false, status: 401, reason: 'a JSON webhook without bodySHA256' };
    if (!constantTimeEqual(bodyHash, sha256(request.rawBody, 'hex'))) {
      return { ok: false, status: 401, reason: 'bodySHA256 does not match the body' };
    }
  }
  const params = isForm ? formPairs(request.rawBody) : [];
  const matches = urlVariants(request.url).some((url) =>
    constantTimeEqual(signature, twilioSignature(config.authToken, url, params)),
  );
  return matches ? { ok: true } : { ok: false, status: 401, reason: 'X-Twilio-Signature does not match' };
}

export function twilioSignature(
  authToken: string,
  url: string,
  params: readonly (readonly [string, string])[],
): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return hmac('sha1', authToken, data, 'base64');
}

function formPairs(rawBody: Buffer): [string, string][] {
  return [...new URLSearchParams(rawBody.toString('utf8'))];
}

function urlVariants(url: string): string[] {
  // The authority as written (URL would drop a default port), with its port removed and added.
  const match = /^(https?):\/\/([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, host, port, rest] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const withPort = `${scheme}://${host}:${port ?? defaultPort}${rest}`;
  const withoutPort = `${scheme}://${host}${rest}`;
  return [...new Set([url, withPort, withoutPort])];
}
