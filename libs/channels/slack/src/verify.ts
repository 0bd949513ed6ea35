import { constantTimeEqual, header, hmac } from '@switchboard/channel-common';
import type { InboundRequest, VerifyContext, VerifyResult } from '@switchboard/contracts';
import type { SlackConfig } from './config.js';

/** Slack refuses to have requests older than five minutes trusted (replays). */
export const slackTimestampToleranceSeconds = 5 * 60;

/**
 * Slack's v0 signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=` + hex HMAC-SHA256 under the signing secret of `v0:<timestamp>:<raw body>`,
 * with `X-Slack-Request-Timestamp` within five minutes of now, either way.
 */
export function verifySlack(request: InboundRequest, config: SlackConfig, ctx: VerifyContext): VerifyResult {
  const timestamp = header(request, 'X-Slack-Request-Timestamp');
  const signature = header(request, 'X-Slack-Signature');
  if (timestamp === undefined || signature === undefined) {
    return { ok: false, status: 401, reason: 'missing X-Slack-Signature or X-Slack-Request-Timestamp' };
  }
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, status: 401, reason: 'malformed X-Slack-Request-Timestamp' };
  if (Math.abs(ctx.nowSeconds - Number(timestamp)) > slackTimestampToleranceSeconds) {
    return { ok: false, status: 401, reason: 'X-Slack-Request-Timestamp outside the five-minute window' };
  }
  if (!constantTimeEqual(signature, slackSignature(config.signingSecret, timestamp, request.rawBody))) {
    return { ok: false, status: 401, reason: 'X-Slack-Signature does not match' };
  }
  return { ok: true };
}

export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), Buffer.from(rawBody)]);
  return `v0=${hmac('sha256', signingSecret, base, 'hex')}`;
}
