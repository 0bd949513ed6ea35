/** Where a command writes and what it reads from its environment, so tests can run commands in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

/** An error the user can fix (bad option, nothing found); printed without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
