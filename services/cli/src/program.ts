import { Command } from 'commander';
import { registerDlqCommands } from './commands/dlq.js';
import { type CliIo, processIo } from './io.js';

/**
 * The `switchboard` command. Each group of subcommands registers itself here; the program only holds
 * what they share (the database option, output streams).
 */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('switchboard')
    .description('Operate a Switchboard installation')
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  registerDlqCommands(program, io);
  return program;
}
