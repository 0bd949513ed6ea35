import type { ProviderResponse, SendOutcome } from '@switchboard/contracts';

/**
 * E-mail goes out over SMTP, not HTTP, so the connector describes nodemailer's answer as a
 * `ProviderResponse` whose status is the SMTP reply code: 2yz accepted (with the Message-ID in the
 * `message-id` header), 4yz a transient refusal (greylisting, mailbox busy) worth retrying, 5yz a
 * permanent one. A failure with no reply at all (connection refused, timeout, TLS) is status 0 and
 * retried.
 */
export function smtpAccepted(info: { messageId?: string; response?: string }): ProviderResponse {
  const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
  return {
    status: code,
    headers: info.messageId === undefined ? {} : { 'message-id': info.messageId },
    body: info.response ?? '',
  };
}

/** nodemailer's error: `responseCode` and `response` when the server answered, `message` otherwise. */
export function smtpRefused(error: {
  responseCode?: number;
  response?: string;
  message?: string;
}): ProviderResponse {
  return {
    status: error.responseCode ?? 0,
    headers: {},
    body: error.response ?? error.message ?? 'SMTP failure',
  };
}

export function interpretSmtpResponse(response: ProviderResponse): SendOutcome {
  const reason = response.body.trim().length > 0 ? response.body.trim() : `SMTP ${response.status}`;
  if (response.status >= 200 && response.status < 400) {
    const messageId = response.headers['message-id'];
    return messageId === undefined ? { kind: 'sent' } : { kind: 'sent', providerMessageId: messageId };
  }
  if (response.status >= 500 && response.status < 600) return { kind: 'failed', reason };
  return { kind: 'retry', reason };
}
