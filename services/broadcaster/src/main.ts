import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { type BroadcasterConfig, BroadcasterConfigSchema } from './config.js';
import { startBroadcaster } from './service.js';

// Loaded before runService because the health server's address is part of it.
let config: BroadcasterConfig;
try {
  config = loadConfig(BroadcasterConfigSchema);
} catch (error) {
  const problems = error instanceof ConfigError ? error.problems : undefined;
  createLogger('broadcaster').fatal({ err: error, problems }, 'invalid configuration');
  process.exit(1);
}

await runService({
  name: 'broadcaster',
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startBroadcaster(config, logger),
});
