import { Command } from 'commander';
import { registerConversationCommands } from './commands/conversation.js';
import { registerDlqCommands } from './commands/dlq.js';
import { registerEventsCommands } from './commands/events.js';
import { registerProjectionsCommands } from './commands/projections.js';
import { registerTraceCommand } from './commands/trace.js';
import { type CliIo, processIo } from './io.js';

/**
 * The `switchboard` command. Each group of subcommands registers itself here; the program only holds
 * what they share (the database option, output streams).
 */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('switchboard')
    .description('Operate a Switchboard installation: debug by replay, follow events, manage read models')
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerEventsCommands(program, io);
  registerConversationCommands(program, io);
  registerProjectionsCommands(program, io);
  registerTraceCommand(program, io);
  registerDlqCommands(program, io);
  return program;
}
