import { StreamDeletedError, StreamNotFoundError } from '@switchboard/event-store';
import { RebuildInProgressError, UnknownProjectionError } from '@switchboard/read-models';
import { UnknownStreamCategoryError } from '@switchboard/replay';
import { CommanderError } from 'commander';
import { NotFoundError, UsageError } from './io.js';

/** The CLI's exit codes (services/cli/README.md). */
export const exitCodes = {
  ok: 0,
  /** Anything unexpected: the database is down, a bug. Printed with its stack. */
  failed: 1,
  /** Bad arguments or options (unknown command, malformed position, revision or id). */
  usage: 2,
  /** The stream, projection, delivery or correlation id asked about does not exist. */
  notFound: 3,
  /** Refused because of what runs elsewhere: another rebuild holds the lock. */
  busy: 4,
} as const;

/** The exit code of an error a command threw, and whether it is expected (printed without a stack). */
export function exitCodeOf(error: unknown): { code: number; expected: boolean } {
  if (error instanceof CommanderError) {
    // --help and --version end with a CommanderError too
    return { code: error.exitCode === 0 ? exitCodes.ok : exitCodes.usage, expected: true };
  }
  // A bad --at never gets here: its parser turns it into commander's usage error.
  if (error instanceof UsageError || error instanceof UnknownStreamCategoryError) {
    return { code: exitCodes.usage, expected: true };
  }
  if (
    error instanceof NotFoundError ||
    error instanceof StreamNotFoundError ||
    error instanceof StreamDeletedError ||
    error instanceof UnknownProjectionError
  ) {
    return { code: exitCodes.notFound, expected: true };
  }
  if (error instanceof RebuildInProgressError) return { code: exitCodes.busy, expected: true };
  // the database refused or is out of reach (an SQLSTATE, or a system error such as ECONNREFUSED): its
  // message says enough
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^([0-9A-Z]{5}|E[A-Z]+)$/.test(code)) {
    return { code: exitCodes.failed, expected: true };
  }
  return { code: exitCodes.failed, expected: false };
}
