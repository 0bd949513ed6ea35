import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { toWireRequest } from '@switchboard/channel-common';
import {
  type EmailConfig,
  type MailDescription,
  smtpAccepted,
  smtpRefused,
  smtpTransportOptions,
} from '@switchboard/channel-email';
import type { ProviderRequest, ProviderResponse } from '@switchboard/contracts';
import nodemailer from 'nodemailer';

/** What one provider call came back with: an answer to interpret, or none at all. */
export type CallResult =
  | { kind: 'answer'; response: ProviderResponse }
  /** No answer: refused before sending (retry freely), or cut off after it (it may have gone out). */
  | { kind: 'no-answer'; reason: string; mayHaveBeenSent: boolean };

/** Carries rendered requests to the provider: HTTP for most channels, SMTP for e-mail. */
export interface ProviderTransport {
  call(request: ProviderRequest, config: Record<string, unknown>): Promise<CallResult>;
}

const tracer = () => trace.getTracer('connector');

/** HTTP against the provider's base URL (a fake in tests), with a time-out per call. */
export function httpTransport(baseUrl: string, timeoutMs: number): ProviderTransport {
  return {
    call: (request) => {
      const wire = toWireRequest(baseUrl, request);
      const url = new URL(wire.url);
      return tracer().startActiveSpan(
        `${wire.method} ${url.host}`,
        {
          kind: SpanKind.CLIENT,
          // The path may carry a token (Telegram's /bot<token>/…): only the host is recorded.
          attributes: { 'http.request.method': wire.method, 'server.address': url.host },
        },
        async (span): Promise<CallResult> => {
          try {
            const response = await fetch(wire.url, {
              method: wire.method,
              headers: wire.headers,
              ...(wire.body === undefined ? {} : { body: wire.body }),
              signal: AbortSignal.timeout(timeoutMs),
            });
            const headers: Record<string, string | undefined> = {};
            response.headers.forEach((value, name) => {
              headers[name] = value;
            });
            const body = await response.text();
            span.setAttribute('http.response.status_code', response.status);
            if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
            return { kind: 'answer', response: { status: response.status, headers, body } };
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
            return noAnswer(error, timeoutMs);
          } finally {
            span.end();
          }
        },
      );
    },
  };
}

function noAnswer(error: unknown, timeoutMs: number): CallResult {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'no-answer', reason: `no answer within ${timeoutMs} ms`, mayHaveBeenSent: true };
  }
  const code = causeCode(error);
  // A reset connection may have carried the whole request; a refused or unresolved one carried nothing.
  const mayHaveBeenSent = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
  return { kind: 'no-answer', reason: describe(error), mayHaveBeenSent };
}

function causeCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = causeCode(error);
  return code ? `${error.message} (${code})` : error.message;
}

/**
 * SMTP through nodemailer: the request's JSON body is the mail (see the e-mail adapter), sent through
 * the client's configured relay, or through `override` (a local relay) when set. The SMTP reply is
 * described as a `ProviderResponse` for the adapter to interpret (status = reply code, 0 for none).
 */
export function smtpTransport(
  timeoutMs: number,
  override: { host?: string | undefined; port?: number | undefined } = {},
): ProviderTransport {
  return {
    call: async (request, config) => {
      const mail = request.body?.value as MailDescription | undefined;
      if (!mail) return { kind: 'no-answer', reason: 'no mail to send', mayHaveBeenSent: false };
      const options = smtpTransportOptions(config as unknown as EmailConfig);
      const transport = nodemailer.createTransport({
        ...options,
        host: override.host ?? options.host,
        port: override.port ?? options.port,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      return tracer().startActiveSpan(
        'smtp send',
        { kind: SpanKind.CLIENT },
        async (span): Promise<CallResult> => {
          try {
            return { kind: 'answer', response: smtpAccepted(await transport.sendMail(mail)) };
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            return {
              kind: 'answer',
              response: smtpRefused(error as { responseCode?: number; response?: string; message?: string }),
            };
          } finally {
            span.end();
            transport.close();
          }
        },
      );
    },
  };
}
