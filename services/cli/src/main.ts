import { existsSync, readFileSync } from 'node:fs';
import { exitCodeOf, exitCodes } from './exit-codes.js';
import { interruptProcessIo } from './io.js';
import { buildProgram } from './program.js';

// Run from the repository, the CLI reads the same .env as the services; the environment wins.
const dotenv = new URL('../../../.env', import.meta.url);
if (existsSync(dotenv)) {
  for (const line of readFileSync(dotenv, 'utf8').split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && process.env[match[1]!] === undefined)
      process.env[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
}

// Piped into `head`: a closed stdout is the reader having seen enough.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

// Ctrl-C: a following command (`events tail`) stops and exits 0; anything else is cut short.
process.once('SIGINT', () => {
  interruptProcessIo();
  setTimeout(() => process.exit(130), 2_000).unref();
  process.once('SIGINT', () => process.exit(130));
});

try {
  await buildProgram().parseAsync(process.argv);
  process.exitCode = exitCodes.ok;
} catch (err) {
  const { code, expected } = exitCodeOf(err);
  // commander has already printed its own usage errors
  const printed = err instanceof Error && err.name === 'CommanderError';
  if (!printed) {
    const message =
      err instanceof Error ? (expected ? err.message : (err.stack ?? err.message)) : String(err);
    process.stderr.write(`switchboard: ${message}\n`);
  }
  process.exitCode = code;
}
