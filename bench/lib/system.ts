import { join } from 'node:path';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import { freePort, NodeProcess, type ProfileOptions } from './processes.js';

/** The conversations core, each service its own process, as `infra/run-services.ts` starts them. */
export const CORE_SERVICES = ['command-handler', 'relay', 'projector', 'gateway'] as const;
export type CoreService = (typeof CORE_SERVICES)[number];
/** Services started only for the phase that needs them. */
export type ServiceName = CoreService | 'webhook-dispatcher';

export const ADMIN_KEY = 'bench-admin-key';

export interface SystemOptions {
  profile?: ProfileOptions;
  /** Extra environment for every service (e.g. a batch size to compare). */
  env?: Record<string, string>;
  echo?: boolean;
}

/**
 * A temporary database and NATS namespace, and every core service started against them with
 * LOG_LEVEL=warn; `stop` drains the services and removes the database and the namespace's streams.
 */
export class BenchSystem {
  readonly services = new Map<ServiceName, NodeProcess>();
  gatewayUrl = '';

  private constructor(
    readonly db: TestDatabase,
    readonly nats: TestNats,
    readonly env: Record<string, string>,
  ) {}

  #options: SystemOptions = {};

  static async start(options: SystemOptions = {}): Promise<BenchSystem> {
    const db = await createTestDatabase();
    const nats = await createTestNats();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      ADMIN_KEY,
      SECRETS_KEY: '2e'.repeat(32),
      ALLOW_ANONYMOUS_SYNC: 'true',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      HEALTH_HOST: '127.0.0.1',
      ...options.env,
    };
    const system = new BenchSystem(db, nats, env);
    system.#options = options;
    try {
      // The gateway reads the read models the projector's migration creates: it starts last.
      await Promise.all(
        (['command-handler', 'relay', 'projector'] as const).map((name) => system.#start(name, options)),
      );
      await system.#start('gateway', options);
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  async #start(name: ServiceName, options: SystemOptions, env: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    const portEnv: Record<string, string> =
      name === 'gateway' ? { PORT: String(port) } : { HEALTH_PORT: String(port) };
    // BENCH_MAIN_<SERVICE>: another build of a service to compare with (e.g. the last commit's copy).
    const main = process.env[`BENCH_MAIN_${name.toUpperCase().replaceAll('-', '_')}`];
    const service = new NodeProcess(
      name,
      main ?? join('services', name, 'src', 'main.ts'),
      { ...this.env, ...env, ...portEnv },
      { ...(options.profile ? { profile: options.profile } : {}), echo: options.echo ?? false },
    );
    this.services.set(name, service);
    const url = `http://127.0.0.1:${port}`;
    await service.waitReady(`${url}/readyz`);
    if (name === 'gateway') this.gatewayUrl = url;
  }

  /** Stops a service (it drains) and starts a new process of it: a cold cache, a fresh heap. */
  async restart(name: CoreService): Promise<void> {
    await this.services.get(name)?.stop();
    this.services.delete(name);
    await this.#start(name, this.#options);
  }

  /** Starts a service that is not part of the core (e.g. the webhook dispatcher), with extra env. */
  async startService(name: ServiceName, env: Record<string, string> = {}): Promise<void> {
    if (this.services.has(name)) throw new Error(`${name} is already running`);
    await this.#start(name, this.#options, env);
  }

  /** Stops a service (it drains; its CPU profile is written). */
  async stopService(name: ServiceName): Promise<void> {
    await this.services.get(name)?.stop();
    this.services.delete(name);
  }

  pid(name: ServiceName): number {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.pid;
  }

  /** Fails with the service's output when one of them died during a phase. */
  assertAlive(): void {
    for (const [name, service] of this.services) {
      if (service.exited) throw new Error(`${name} exited during the benchmark:\n${service.logs()}`);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    this.services.clear();
    await this.nats.close().catch((error) => console.error('could not clean the NATS namespace:', error));
    await this.db.drop().catch((error) => console.error('could not drop the database:', error));
  }
}
