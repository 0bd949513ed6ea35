import { connectBus } from '@switchboard/bus';
import { eventUpcasters } from '@switchboard/contracts';
import { SecretBox } from '@switchboard/crypto';
import { createEventStore } from '@switchboard/event-store';
import { ProjectionWaiter } from '@switchboard/read-models';
import { type RunningService, succeeds } from '@switchboard/runtime';
import type { Logger } from '@switchboard/telemetry';
import postgres from 'postgres';
import { adminApi } from './api/admin/index.js';
import { aliasDialect } from './api/alias/index.js';
import { botpressDialect } from './api/botpress/index.js';
import { channelWebhooks } from './api/channels/index.js';
import { buildApp } from './app.js';
import { ClientCache } from './client-cache.js';
import { createCommandSender } from './commands.js';
import { assertProductionSafe, type GatewayConfig } from './config.js';
import type { GatewayDeps } from './deps.js';

export interface RunningGateway extends RunningService {
  url: string;
}

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  assertProductionSafe(config);
  const secrets = new SecretBox(config.SECRETS_KEY);
  const sql = postgres(config.DATABASE_URL, { max: 20, onnotice: () => {} });
  const bus = await connectBus({
    servers: config.NATS_URL,
    name: 'gateway',
    namespace: config.NATS_NAMESPACE,
  });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  const waiter = new ProjectionWaiter(sql);
  await waiter.start();
  const clients = new ClientCache(sql);
  await clients.start();

  const readiness = async () => ({
    nats: !bus.nc.isClosed(),
    database: await succeeds(() => sql`SELECT 1`),
  });
  const deps: GatewayDeps = {
    config,
    logger,
    bus,
    sql,
    store,
    secrets,
    readiness,
    findClient: (id) => clients.find(id),
    commands: createCommandSender({
      bus,
      waiter,
      timeoutMs: config.COMMAND_TIMEOUT_MS,
      readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
      onClientChanged: (clientId) => clients.forget(clientId),
    }),
  };
  const app = await buildApp(deps, [
    botpressDialect(deps),
    aliasDialect(deps),
    adminApi(deps),
    channelWebhooks(deps),
  ]);
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ url }, 'gateway listening');

  return {
    url,
    ready: readiness,
    async stop() {
      await app.close(); // stops accepting, finishes in-flight requests
      await waiter.stop();
      await clients.stop();
      await store.close();
      await bus.close();
      await sql.end({ timeout: 5 });
    },
  };
}
