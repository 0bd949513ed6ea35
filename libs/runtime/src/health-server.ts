import { createServer, type Server } from 'node:http';
import { serveMetrics } from '@switchboard/telemetry';

export type ReadinessCheck = () => Promise<Record<string, boolean>> | Record<string, boolean>;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` answers while the process is alive; `/readyz` answers 200 only while every dependency
 * the check names is ready, and 503 with the failing ones otherwise (and while shutting down).
 * `/metrics` is the process's Prometheus endpoint.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  ready: ReadinessCheck;
  isStopping: () => boolean;
}): Promise<HealthServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/metrics') {
      serveMetrics(req, res);
      return;
    }
    if (path === '/readyz') {
      let checks: Record<string, boolean>;
      try {
        checks = await options.ready();
      } catch {
        checks = { checks: false };
      }
      const ok = !options.isStopping() && Object.values(checks).every(Boolean);
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ready' : 'not ready', stopping: options.isStopping(), checks }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
