import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { type CommandHandlerConfig, CommandHandlerConfigSchema } from './config.js';
import { startCommandHandler } from './service.js';

// Loaded before runService because the health server's address is part of it.
let config: CommandHandlerConfig;
try {
  config = loadConfig(CommandHandlerConfigSchema);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`command-handler: ${error.message}\n`);
  process.exit(1);
}

await runService({
  name: 'command-handler',
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startCommandHandler(config, logger),
});
