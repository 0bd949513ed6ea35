// Runs a rendered workload's container on this machine as its image would run it: the bundle that
// infra/docker/bundle.ts makes, in a folder laid out like the image's /app (dist/ beside a
// node_modules holding the exact third-party packages the bundle imports), started with the
// container's command and exactly its environment — except what only exists inside a cluster:
// Service host names become the local stand-ins, and container ports become free local ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { type BundleResult, bundleService } from '../../infra/docker/bundle.js';
import { find, type K8sObject, only, resolveEnv, type Workload } from './manifest-model.js';

export interface AppFolder {
  dir: string;
  bundle: BundleResult;
  dispose(): void;
}

/** `/app` of the service's image: dist/ from bundle.ts and a node_modules with what it imports. */
export async function buildAppFolder(service: string): Promise<AppFolder> {
  const dir = mkdtempSync(join(tmpdir(), `switchboard-app-${service}-`));
  const bundle = await bundleService({ service, outDir: join(dir, 'dist') });
  for (const [name, pkg] of bundle.externals) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(pkg.dir, link, 'dir');
  }
  return { dir, bundle, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

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

/** An HTTP endpoint that accepts anything (an OTLP collector stand-in), counting the requests. */
export async function startSink(): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    paths.push(req.url ?? '/');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface LocalContext {
  objects: K8sObject[];
  /** The image's own environment (ENV of the Dockerfile's final stage). */
  imageEnv: Record<string, string>;
  /** Replacement URL per in-cluster Service name (postgres, nats, …). */
  serviceUrls: Record<string, string>;
  /** Added to the environment (the test's NATS namespace: isolation from other tests). */
  extraEnv?: Record<string, string>;
}

export interface LocalEnvironment {
  env: Record<string, string>;
  /** Container port → local port. */
  ports: Map<number, number>;
}

/** The container's environment with cluster-only addresses replaced by local ones. */
export async function localEnvironment(
  container: IContainer,
  context: LocalContext,
): Promise<LocalEnvironment> {
  const { values, unresolved } = resolveEnv(container, context.objects);
  if (unresolved.length > 0) throw new Error(`${container.name}: unresolved env ${unresolved.join(', ')}`);
  const ports = new Map<number, number>();
  for (const port of container.ports ?? []) ports.set(port.containerPort, await freePort());
  const env: Record<string, string> = { ...context.imageEnv };
  for (const [name, value] of Object.entries(values)) {
    env[name] = localValue(name, value, context, ports);
  }
  return { env: { ...env, ...context.extraEnv }, ports };
}

function localValue(name: string, value: string, context: LocalContext, ports: Map<number, number>): string {
  const asPort = /^\d+$/.test(value) ? ports.get(Number(value)) : undefined;
  if (asPort !== undefined) return String(asPort);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  const service = url.hostname;
  if (!find(context.objects, 'Service', service)) return value;
  const local = context.serviceUrls[service];
  if (!local) throw new Error(`${name}=${value}: no local stand-in for the Service ${service}`);
  // a database or broker URL is replaced whole; an HTTP endpoint keeps its path
  if (url.protocol === 'http:' || url.protocol === 'https:') return new URL(url.pathname, local).toString();
  return local;
}

export interface LocalPod {
  child: ChildProcess;
  output: string[];
  env: Record<string, string>;
  /** `http://127.0.0.1:<local port><path>` of a probe. */
  probeUrl(probe: IProbe | undefined): string;
  /** Sends SIGTERM, as the kubelet does; resolves with the exit code and how long the drain took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

export async function startContainer(
  workload: Workload,
  appDir: string,
  context: LocalContext,
): Promise<LocalPod> {
  const container = only(workload.pod.containers, `container in ${workload.kind}/${workload.name}`);
  const { env, ports } = await localEnvironment(container, context);
  const [program, ...args] = [...(container.command ?? []), ...(container.args ?? [])];
  if (program !== 'node') throw new Error(`${workload.name}: runs ${program}, expected node`);
  const child = spawn(process.execPath, args, {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 300) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output,
    env,
    probeUrl(probe) {
      const get = probe?.httpGet;
      if (!get) throw new Error(`${workload.name}: probe without httpGet`);
      const port =
        typeof get.port === 'number' ? get.port : container.ports?.find((p) => p.name === get.port);
      const containerPort = typeof port === 'number' ? port : port?.containerPort;
      const local = containerPort === undefined ? undefined : ports.get(containerPort);
      if (local === undefined)
        throw new Error(`${workload.name}: probe port ${get.port} is not a container port`);
      return `http://127.0.0.1:${local}${get.path ?? '/'}`;
    },
    async stop() {
      const started = performance.now();
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = child.exitCode ?? (await exited);
      return { code, ms: Math.round(performance.now() - started) };
    },
  };
}

/** Polls `url` until it answers 200; fails early when the process exits. */
export async function waitFor200(pod: LocalPod, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (pod.child.exitCode !== null) {
      throw new Error(
        `exited with ${pod.child.exitCode} before ${url} answered 200:\n${pod.output.join('')}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer 200 in ${timeoutMs} ms (last: ${last}):\n${pod.output.join('')}`);
}

/** Runs a Job's container to its end; resolves with its exit code and output. */
export async function runToCompletion(
  workload: Workload,
  appDir: string,
  context: LocalContext,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const pod = await startContainer(workload, appDir, context);
  const timer = setTimeout(() => pod.child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    if (pod.child.exitCode !== null) resolve(pod.child.exitCode);
    else pod.child.once('exit', (c) => resolve(c));
  });
  clearTimeout(timer);
  return { code, output: pod.output.join('') };
}
