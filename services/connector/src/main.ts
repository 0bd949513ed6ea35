import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { type ConnectorConfig, ConnectorConfigSchema } from './config.js';
import { startConnector } from './service.js';

// The channel and the health server's address are configuration, so it is read before the service starts.
let config: ConnectorConfig;
try {
  config = loadConfig(ConnectorConfigSchema);
} catch (error) {
  const problems = error instanceof ConfigError ? error.problems : undefined;
  createLogger('connector').fatal({ err: error, problems }, 'invalid configuration');
  process.exit(1);
}

await runService({
  name: `connector-${config.CHANNEL}`,
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startConnector(config, logger),
});
