import { loadConfig, runService } from '@switchboard/runtime';
import { GatewayConfigSchema } from './config.js';
import { startGateway } from './service.js';

// The gateway serves /healthz and /readyz on its own HTTP port, so no separate health server.
await runService({
  name: 'gateway',
  health: null,
  start: ({ logger }) => startGateway(loadConfig(GatewayConfigSchema), logger),
});
