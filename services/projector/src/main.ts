import { ConfigError, loadConfig, runService } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { type ProjectorConfig, ProjectorConfigSchema } from './config.js';
import { startProjector } from './service.js';

// The health server's address is configuration too, so it is read before the service starts.
let config: ProjectorConfig;
try {
  config = loadConfig(ProjectorConfigSchema);
} catch (error) {
  const problems = error instanceof ConfigError ? error.problems : undefined;
  createLogger('projector').fatal({ err: error, problems }, 'invalid configuration');
  process.exit(1);
}

await runService({
  name: 'projector',
  health: { host: config.HEALTH_HOST, port: config.HEALTH_PORT },
  start: ({ logger }) => startProjector(config, logger),
});
