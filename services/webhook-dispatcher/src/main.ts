import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { type DispatcherConfig, DispatcherConfigSchema } from './config.js';
import { startWebhookDispatcher } from './service.js';

// The health server's address is configuration too, so it is read before the service starts.
let config: DispatcherConfig;
try {
  config = loadConfig(DispatcherConfigSchema);
} catch (error) {
  const problems = error instanceof ConfigError ? error.problems : undefined;
  createLogger('webhook-dispatcher').fatal({ err: error, problems }, 'invalid configuration');
  process.exit(1);
}

await runService({
  name: 'webhook-dispatcher',
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startWebhookDispatcher(config, logger),
});
