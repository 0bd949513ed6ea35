import { constantTimeEqual, header } from '@switchboard/channel-common';
import type { InboundRequest, VerifyResult } from '@switchboard/contracts';
import type { SmoochConfig } from './config.js';

/**
 * Sunshine Conversations v2 webhooks carry the webhook's shared secret in `X-API-Key`. The scheme has
 * no signature over the body and no timestamp: the secret (over TLS) is the whole proof, so there is
 * no replay window to check and no body tampering to detect beyond it.
 */
export function verifySmoochRequest(request: InboundRequest, config: SmoochConfig): VerifyResult {
  if (request.method !== 'POST')
    return { ok: false, status: 403, reason: 'Sunshine Conversations only posts webhooks' };
  const presented = header(request, 'x-api-key');
  if (presented === undefined) return { ok: false, status: 401, reason: 'missing X-API-Key' };
  return constantTimeEqual(presented, config.webhookSecret)
    ? { ok: true }
    : { ok: false, status: 401, reason: 'X-API-Key does not match the webhook secret' };
}
