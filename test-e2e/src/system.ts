import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';

const root = join(import.meta.dirname, '..', '..');

export const SERVICES = ['command-handler', 'relay', 'projector', 'webhook-dispatcher', 'gateway'] as const;
export type ServiceName = string;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: string[];
  healthUrl: string;
}

/**
 * The whole stack for one test file: a fresh database, a private NATS namespace, and every service as
 * its own OS process, started the way `infra/run-services.ts` starts them.
 */
export class TestSystem {
  readonly running = new Map<ServiceName, Running>();
  readonly ports = new Map<ServiceName, number>();
  gatewayUrl = '';

  private constructor(
    readonly db: TestDatabase,
    readonly nats: TestNats,
    readonly env: Record<string, string>,
  ) {}

  static async start(options: { services?: readonly ServiceName[]; env?: Record<string, string> } = {}) {
    const db = await createTestDatabase();
    const nats = await createTestNats();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      ADMIN_KEY: 'e2e-admin-key',
      SECRETS_KEY: '1f'.repeat(32),
      ALLOW_ANONYMOUS_SYNC: 'true',
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      HEALTH_HOST: '127.0.0.1',
      ...options.env,
    };
    const system = new TestSystem(db, nats, env);
    try {
      for (const name of options.services ?? SERVICES) await system.startService(name);
    } catch (error) {
      // The caller never gets a handle on a half-started system: stop what did start, or its
      // processes outlive the test run and load the machine.
      await system.stop().catch(() => {});
      throw error;
    }
    return system;
  }

  /**
   * Starts `services/<service>` (by default the directory named `name`) as the instance `name`, e.g.
   * `startService('connector-telegram', { CHANNEL: 'telegram' }, { service: 'connector' })`.
   */
  async startService(
    name: ServiceName,
    extraEnv: Record<string, string> = {},
    options: { service?: string } = {},
  ): Promise<void> {
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const portEnv = name === 'gateway' ? { PORT: String(port) } : { HEALTH_PORT: String(port) };
    const dir = options.service ?? name;
    const child = spawn(process.execPath, ['--import', 'tsx', join('services', dir, 'src', 'main.ts')], {
      cwd: root,
      env: { ...process.env, ...this.env, ...portEnv, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const healthUrl = `http://127.0.0.1:${port}`;
    if (name === 'gateway') this.gatewayUrl = healthUrl;
    this.running.set(name, { child, output, healthUrl });
    await this.waitReady(name);
  }

  private async waitReady(
    name: ServiceName,
    timeoutMs = Number(process.env.E2E_READY_TIMEOUT_MS ?? 90_000),
  ): Promise<void> {
    const running = this.running.get(name)!;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (running.child.exitCode !== null) {
        throw new Error(`${name} exited with ${running.child.exitCode}:\n${running.output.join('')}`);
      }
      try {
        const res = await fetch(`${running.healthUrl}/readyz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms:\n${running.output.join('')}`);
  }

  /** Stops a service: SIGTERM drains it; SIGKILL simulates a crash. */
  async stopService(name: ServiceName, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    const running = this.running.get(name);
    if (!running) return null;
    this.running.delete(name);
    if (running.child.exitCode !== null) return running.child.exitCode;
    const exited = new Promise<number | null>((resolve) =>
      running.child.once('exit', (code) => resolve(code)),
    );
    running.child.kill(signal);
    return exited;
  }

  logs(name: ServiceName): string {
    return this.running.get(name)?.output.join('') ?? '';
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stopService(name)));
    await this.nats.close();
    await this.db.drop();
  }
}
