import { createLogger } from '@switchboard/telemetry';
import type { TestDatabase, TestNats } from '@switchboard/testkit';
import type { GatewayConfig } from './config.js';
import { type RunningGateway, startGateway } from './service.js';

/** A gateway in-process on a free port, wired to a test database and NATS namespace. */
export async function startTestGateway(
  db: TestDatabase,
  nats: TestNats,
  overrides: Partial<GatewayConfig> = {},
): Promise<RunningGateway> {
  const config: GatewayConfig = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: 0,
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    NATS_NAMESPACE: nats.namespace,
    ADMIN_KEY: 'test-admin-key',
    SECRETS_KEY: '2e'.repeat(32),
    ALLOW_ANONYMOUS_SYNC: true,
    BODY_LIMIT_BYTES: 64 * 1024,
    COMMAND_TIMEOUT_MS: 2_000,
    READ_YOUR_WRITES_TIMEOUT_MS: 2_000,
    TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1:9/no-teams-keys',
    ...overrides,
  };
  return startGateway(config, createLogger('gateway-test', 'silent'));
}
