import { classifyHttpAnswer, isRecord, parseJson, stringField } from '@switchboard/channel-common';
import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';
import { slackMessageId } from './parse.js';

// Slack errors that say "not now" rather than "never" (https://api.slack.com/methods/chat.postMessage).
const transientErrors = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * The Web API answers HTTP 200 with `{ ok: false, error }` for most failures: the body, not the status,
 * decides. `ratelimited` comes as HTTP 429 with `Retry-After`. The reason is Slack's error code, with
 * the details Slack adds in `response_metadata.messages` (e.g. which block is invalid).
 */
export function interpretSlackSend(response: ProviderResponse): SendOutcome {
  const body = parseJson(response.body);
  const answer = isRecord(body) ? body : {};
  const error = stringField(answer, 'error');
  if (response.status >= 200 && response.status < 300 && answer.ok === true) {
    const channel = stringField(answer, 'channel');
    const ts = stringField(answer, 'ts');
    return channel !== undefined && ts !== undefined
      ? { kind: 'sent', providerMessageId: slackMessageId(channel, ts) }
      : { kind: 'sent' };
  }
  const reason = error === undefined ? undefined : withDetails(error, answer.response_metadata);
  if (response.status >= 200 && response.status < 300) {
    // ok: false (or a body that is not Slack's): read the error as the status Slack would mean.
    const status =
      error === 'ratelimited' ? 429 : error !== undefined && transientErrors.has(error) ? 503 : 400;
    return classifyHttpAnswer({ ...response, status }, { errorReason: reason ?? 'unreadable Slack answer' });
  }
  return classifyHttpAnswer(response, reason === undefined ? {} : { errorReason: reason });
}

function withDetails(error: string, metadata: unknown): string {
  const messages = isRecord(metadata) && Array.isArray(metadata.messages) ? metadata.messages : [];
  const details = messages.filter((message): message is string => typeof message === 'string');
  return details.length > 0 ? `${error}: ${details.join('; ')}` : error;
}
