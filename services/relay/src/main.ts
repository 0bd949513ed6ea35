import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { type RelayConfig, RelayConfigSchema } from './config.js';
import { startRelay } from './service.js';

// Loaded before runService because the health server's address is part of it.
let config: RelayConfig;
try {
  config = loadConfig(RelayConfigSchema);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`relay: ${error.message}\n`);
  process.exit(1);
}

await runService({
  name: 'relay',
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startRelay(config, logger),
});
