import type { FastifyError, FastifyInstance } from 'fastify';
import { CommandFailedError, httpStatusOf } from '../../commands.js';

/** An error this dialect answers with its own status and message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Errors of the Botpress dialect: `{ statusCode, error, message }` JSON, the shape the Botpress
 * Messaging server's clients read. Validation errors name the field; nothing internal leaks.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    let status = 500;
    let message = 'Internal Server Error';
    if (error instanceof HttpError) {
      status = error.statusCode;
      message = error.message;
    } else if (error instanceof CommandFailedError) {
      status = httpStatusOf(error.failure);
      message = status === 500 ? 'Internal Server Error' : error.failure.message;
    } else if ('validation' in error && error.validation) {
      status = 400;
      message = error.message;
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      message = error.message;
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ statusCode: status, error: reasons[status] ?? 'Error', message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `Route ${request.method} ${request.url} not found`,
    }),
  );
}
