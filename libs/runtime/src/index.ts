export { ConfigError, loadConfig } from './config.js';
export { type HealthServer, type ReadinessCheck, startHealthServer } from './health-server.js';
export { type AdvisoryKey, LeaderLock } from './leader-lock.js';
export { succeeds } from './probe.js';
export { type RunningService, runService, type ServiceContext } from './run-service.js';
