import { join } from 'node:path';
import { freePort, NodeProcess, type ProfileOptions } from './processes.js';

/**
 * The baseline pair, as two processes like the gateway and the command handler: a bare Fastify app
 * and a NATS responder that inserts one row into PostgreSQL (bench/baseline/).
 */
export class Baseline {
  private constructor(
    readonly url: string,
    readonly http: NodeProcess,
    readonly responder: NodeProcess,
  ) {}

  static async start(options: {
    databaseUrl: string;
    natsUrl: string;
    namespace: string;
    profile?: ProfileOptions;
  }): Promise<Baseline> {
    const port = await freePort();
    const env = {
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      BASELINE_SUBJECT: `${options.namespace}.bench.baseline`,
      PORT: String(port),
    };
    const profile = options.profile ? { profile: options.profile } : {};
    const responder = new NodeProcess(
      'baseline-responder',
      join('bench', 'baseline', 'responder.ts'),
      env,
      profile,
    );
    const http = new NodeProcess('baseline-http', join('bench', 'baseline', 'http-server.ts'), env, profile);
    const url = `http://127.0.0.1:${port}`;
    try {
      await responder.waitForOutput('baseline responder ready');
      await http.waitReady(`${url}/readyz`);
    } catch (error) {
      await Promise.all([http.stop(), responder.stop()]);
      throw error;
    }
    return new Baseline(url, http, responder);
  }

  async stop(): Promise<void> {
    await Promise.all([this.http.stop(), this.responder.stop()]);
  }
}
