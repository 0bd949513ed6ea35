// The conversations core in-process for the CLI's tests: command handler, projector and gateway on a
// fresh database and NATS namespace, so commands go through the real handler and the read models are
// the projector's. Test-only: it reaches into the services' sources.
import { loadConfig } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import { CommandHandlerConfigSchema } from '../../../command-handler/src/config.js';
import { type RunningCommandHandler, startCommandHandler } from '../../../command-handler/src/service.js';
import type { RunningGateway } from '../../../gateway/src/service.js';
import { startTestGateway } from '../../../gateway/src/test-gateway.js';
import { ProjectorConfigSchema } from '../../../projector/src/config.js';
import { type RunningProjector, startProjector } from '../../../projector/src/service.js';
import { exitCodeOf } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { buildProgram } from '../program.js';

const logger = createLogger('cli-test', 'silent');

export interface CoreSystem {
  db: TestDatabase;
  nats: TestNats;
  gateway: RunningGateway;
  projector: RunningProjector;
  stop(): Promise<void>;
}

export async function startCoreSystem(): Promise<CoreSystem> {
  const db = await createTestDatabase();
  const nats = await createTestNats();
  const env = {
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    NATS_NAMESPACE: nats.namespace,
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: '0',
    LOG_LEVEL: 'silent',
    PROJECTOR_POLL_INTERVAL_MS: '20',
    PROJECTOR_LEADER_CHECK_MS: '100',
    PROJECTOR_STANDBY_RETRY_MS: '100',
  };
  const handler: RunningCommandHandler = await startCommandHandler(
    loadConfig(CommandHandlerConfigSchema, env),
    logger,
  );
  const projector = await startProjector(loadConfig(ProjectorConfigSchema, env), logger);
  const gateway = await startTestGateway(db, nats, { READ_YOUR_WRITES_TIMEOUT_MS: 5_000 });
  return {
    db,
    nats,
    gateway,
    projector,
    async stop() {
      await gateway.stop();
      await projector.stop();
      await handler.stop();
      await nats.close();
      await db.drop();
    },
  };
}

/** JSON over HTTP to the gateway; the status and the parsed body. */
export async function call<T = unknown>(
  gateway: RunningGateway,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A client of the Botpress dialect: its id and the headers that authenticate it. */
export async function newClient(gateway: RunningGateway) {
  const { body } = await call<{ id: string; token: string }>(gateway, 'POST', '/api/v1/sync', { body: {} });
  return {
    id: body.id,
    headers: { 'x-bp-messaging-client-id': body.id, 'x-bp-messaging-client-token': body.token },
  };
}

export interface CliRun {
  out: string;
  err: string;
  error: unknown;
  /** The exit code `main.ts` would end with. */
  code: number;
}

/** Runs `switchboard <args>` in-process against `databaseUrl`; `signal` stands for Ctrl-C. */
export async function runCli(
  databaseUrl: string,
  args: string[],
  options: { signal?: AbortSignal; onOut?: (line: string) => void } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => {
      out.push(text);
      options.onOut?.(text);
    },
    err: (text) => err.push(text),
    env: {},
    color: false,
    signal: options.signal ?? new AbortController().signal,
  };
  let error: unknown;
  try {
    await buildProgram(io).parseAsync(['--database-url', databaseUrl, ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out: out.join('\n'), err: err.join('\n'), error, code: error ? exitCodeOf(error).code : 0 };
}
