/**
 * Why a command was refused. `not_found` also covers another tenant's aggregate, so a caller never
 * learns that it exists.
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

export class DomainError extends Error {
  override name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
