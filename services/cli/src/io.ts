/** Where a command writes and what it reads from its environment, so tests can run commands in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Styling (bold headers) only when stdout is a terminal and NO_COLOR is unset. */
  color: boolean;
  /** Aborted on Ctrl-C: long-running commands (`events tail`) stop and exit 0. */
  signal: AbortSignal;
}

const interrupted = new AbortController();

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  signal: interrupted.signal,
};

/** Stops the commands following `processIo.signal` (main's Ctrl-C handler). */
export const interruptProcessIo = () => interrupted.abort();

/** An error the user can fix (bad option or argument); printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command was asked about does not exist (stream, projection, delivery…); exit code 3. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
