import { createLogger, type Logger, startTelemetry } from '@switchboard/telemetry';
import { ConfigError } from './config.js';
import { type ReadinessCheck, startHealthServer } from './health-server.js';

export interface RunningService {
  /** Whether the service's own dependencies (NATS, PostgreSQL, consumers) are ready. */
  ready: ReadinessCheck;
  /** Drains consumers and finishes in-flight work; called once on SIGTERM/SIGINT. */
  stop(): Promise<void>;
}

export interface ServiceContext {
  logger: Logger;
}

/**
 * The one lifecycle every service shares: telemetry and logger first, then the service, then the
 * health endpoints; on SIGTERM/SIGINT readiness turns false at once, the service drains, and the
 * process exits 0 (1 when the drain fails or outlasts `drainTimeoutMs`).
 */
export async function runService(options: {
  name: string;
  health?: { host: string; port: number } | null;
  drainTimeoutMs?: number;
  start(ctx: ServiceContext): Promise<RunningService>;
}): Promise<void> {
  const telemetry = startTelemetry({ serviceName: options.name });
  const logger = createLogger(options.name);
  let stopping = false;
  let service: RunningService;
  try {
    service = await options.start({ logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
    } else {
      logger.fatal({ err: error }, 'failed to start');
    }
    await telemetry.shutdown().catch(() => {});
    process.exit(1);
  }
  const health = options.health
    ? await startHealthServer({ ...options.health, ready: () => service.ready(), isStopping: () => stopping })
    : null;
  logger.info({ health: health?.port }, 'started');

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const deadline = setTimeout(() => {
      logger.error('drain timed out');
      process.exit(1);
    }, options.drainTimeoutMs ?? 25_000);
    deadline.unref();
    let code = 0;
    try {
      await service.stop();
    } catch (error) {
      logger.error({ err: error }, 'drain failed');
      code = 1;
    }
    await health?.close();
    await telemetry.shutdown().catch(() => {});
    logger.info('stopped');
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
