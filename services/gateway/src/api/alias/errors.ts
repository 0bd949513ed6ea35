import type { FastifyError, FastifyInstance } from 'fastify';
import { CommandFailedError, httpStatusOf } from '../../commands.js';

/**
 * An error of the Alias dialect: `{ error, error_description }` like OAuth 2.0 (RFC 6749 §5.2,
 * RFC 6750 §3), with extra fields (e.g. the missing `scope`) and response headers when needed.
 */
export class AliasError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    readonly description: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const badRequest = (description: string) => new AliasError(400, 'invalid_request', description);
export const notFound = (description: string) => new AliasError(404, 'not_found', description);

/** The error code of a status without a more precise one. */
const codes: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_token',
  403: 'insufficient_scope',
  404: 'not_found',
  405: 'invalid_request',
  409: 'conflict',
  413: 'invalid_request',
  415: 'invalid_request',
  500: 'server_error',
  503: 'temporarily_unavailable',
  504: 'timeout',
};

const fromCommand = (failure: CommandFailedError['failure']): AliasError => {
  const status = httpStatusOf(failure);
  // A refusal for lack of rights is `forbidden` here: `insufficient_scope` is for tokens.
  if (status === 403) return new AliasError(403, 'forbidden', failure.message);
  if (status === 500) return new AliasError(500, 'server_error', 'internal error');
  return new AliasError(status, codes[status] ?? 'invalid_request', failure.message);
};

/** Fastify's message, naming the offending parameter where Ajv's message does not. */
const validationMessage = (error: FastifyError): string => {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'request';
  const extra = first?.params?.additionalProperty;
  if (typeof extra === 'string') return `${context}/${extra} is not allowed`;
  const allowed = first?.params?.allowedValue;
  if (first?.keyword === 'const' && typeof allowed === 'string')
    return `${context}${first.instancePath} must be ${allowed}`;
  return error.message;
};

const toAliasError = (error: FastifyError | Error): AliasError => {
  if (error instanceof AliasError) return error;
  if (error instanceof CommandFailedError) return fromCommand(error.failure);
  if ('validation' in error && error.validation) return badRequest(validationMessage(error));
  if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
    return new AliasError(error.statusCode, codes[error.statusCode] ?? 'invalid_request', error.message);
  }
  return new AliasError(500, 'server_error', 'internal error');
};

/** Errors of the Alias dialect, in one shape; nothing internal leaks. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const alias = toAliasError(error);
    if (alias.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply
      .code(alias.statusCode)
      .headers(alias.headers)
      .send({ error: alias.error, error_description: alias.description, ...alias.extra });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', error_description: `Route ${request.method} ${request.url} not found` }),
  );
}
