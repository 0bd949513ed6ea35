// The manifests and the code agree: every service under services/ that runs as a process has a
// Deployment; each container's command runs a program its image contains; its env names are what
// that program reads (and include all it requires); its probes and ports are where it serves them.
// Then each Deployment of the dev overlay is started here, from the bundle its image would contain,
// with exactly its environment (cluster host names and ports mapped to local ones), its probes are
// hit, a request goes through the whole system, and SIGTERM drains it within its grace period. The
// Jobs run to completion against a fresh database.
import { join } from 'node:path';
import {
  createTestDatabase,
  createTestNats,
  type TestDatabase,
  type TestNats,
  testDatabaseUrl,
} from '@switchboard/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke } from './cluster-smoke.js';
import { effectiveEnv, readDockerfile, stageNamed } from './dockerfile.js';
import {
  type AppFolder,
  buildAppFolder,
  type LocalContext,
  type LocalPod,
  runToCompletion,
  startContainer,
  startSink,
  waitFor200,
} from './local-pod.js';
import {
  imagePackage,
  type K8sObject,
  only,
  resolveEnv,
  switchboardWorkloads,
  type Workload,
} from './manifest-model.js';
import { type Rendering, ROOT, renderOverlay } from './rendering.js';
import { type EnvReads, envReads, serviceDirs } from './service-code.js';

const DOCKERFILE = join(ROOT, 'infra', 'docker', 'Dockerfile');
/** Production command of every Switchboard container (the image's CMD, see dockerfile test). */
const command = (entry: string, watch = false) => [
  'node',
  ...(watch ? ['--watch'] : []),
  '--enable-source-maps',
  `dist/${entry}.js`,
];

const renders = new Map<string, Rendering>();
const apps = new Map<string, AppFolder>();
const reads = new Map<string, EnvReads>(); // `<package>/<entry>` → what that program reads

beforeAll(async () => {
  const [dev, prod] = await Promise.all([renderOverlay('dev'), renderOverlay('prod-example')]);
  renders.set('dev', dev);
  renders.set('prod-example', prod);
  const packages = new Set(
    [...renders.values()].flatMap((r) =>
      switchboardWorkloads(r.objects).map((w) => imagePackage(w.pod.containers[0]?.image) ?? ''),
    ),
  );
  await Promise.all(
    [...packages].map(async (name) => {
      const app = await buildAppFolder(name);
      apps.set(name, app);
      for (const [entry, sources] of app.bundle.sources)
        reads.set(`${name}/${entry}`, await envReads(sources));
    }),
  );
}, 60_000);
afterAll(() => {
  for (const rendering of renders.values()) rendering.dispose();
  for (const app of apps.values()) app.dispose();
});

const objectsOf = (overlay: string): K8sObject[] => renders.get(overlay)?.objects ?? [];

/** The image package and program (dist/<entry>.js) a workload's container runs. */
function program(w: Workload): { pkg: string; entry: string } {
  const container = only(w.pod.containers, `container of ${w.name}`);
  const pkg = imagePackage(container.image);
  const script = container.command?.at(-1) ?? '';
  const entry = /^dist\/([\w-]+)\.js$/.exec(script)?.[1];
  if (!pkg || !entry)
    throw new Error(`${w.name}: runs ${container.command?.join(' ')} from ${container.image}`);
  return { pkg, entry };
}

describe.each(['dev', 'prod-example'])('%s: manifests match the code', (overlay) => {
  it('has one Deployment, named after it, per service that runs as a process; commands are not deployed', () => {
    const deployed = switchboardWorkloads(objectsOf(overlay)).filter((w) => w.kind === 'Deployment');
    const longRunning = serviceDirs().filter((s) => s.longRunning);
    // the connector runs once per channel: connector-<channel>, every one from the connector image
    const serviceOf = (name: string) => (name.startsWith('connector-') ? 'connector' : name);
    expect([...new Set(deployed.map((w) => serviceOf(w.name)))].sort()).toEqual(
      longRunning.map((s) => s.name),
    );
    for (const w of deployed) expect(program(w).pkg, w.name).toBe(serviceOf(w.name));
    const connectors = deployed.filter((w) => w.name.startsWith('connector-'));
    for (const w of connectors) {
      const channel = (w.pod.containers[0]?.env ?? []).find((e) => e.name === 'CHANNEL')?.value;
      expect(`connector-${channel}`, w.name).toBe(w.name);
    }
    const commands = serviceDirs()
      .filter((s) => !s.longRunning)
      .map((s) => s.name);
    expect(deployed.filter((w) => commands.includes(w.name))).toEqual([]);
  });

  it('runs in each container a program its image contains, with the production command line', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay))) {
      const { pkg, entry } = program(w);
      expect(apps.get(pkg)?.bundle.entries, `${w.name}: dist/${entry}.js in the ${pkg} image`).toContain(
        entry,
      );
      if (w.kind === 'Deployment') expect(entry, w.name).toBe('main');
      // dev only adds --watch for Tilt's live update
      const watch = overlay === 'dev' && w.kind === 'Deployment';
      expect(w.pod.containers[0]?.command, w.name).toEqual(command(entry, watch));
    }
  });

  it('sets only variables the program reads, and every one it requires', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay))) {
      const { pkg, entry } = program(w);
      const programReads = reads.get(`${pkg}/${entry}`);
      const names = (w.pod.containers[0]?.env ?? []).map((e) => e.name);
      expect(
        names.filter((n) => !programReads?.names.has(n)),
        `${w.name}: set but never read`,
      ).toEqual([]);
      expect(
        [...(programReads?.required ?? [])].filter((n) => !names.includes(n)),
        `${w.name}: required`,
      ).toEqual([]);
      expect(new Set(names).size, `${w.name}: a variable set twice`).toBe(names.length);
    }
  });

  it('listens on all interfaces, on the port its probes use', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay)).filter((w) => w.kind === 'Deployment')) {
      const container = only(w.pod.containers, w.name);
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      const [hostVar, portVar] = 'PORT' in env ? ['HOST', 'PORT'] : ['HEALTH_HOST', 'HEALTH_PORT'];
      expect(env[hostVar], `${w.name} ${hostVar}`).toBe('0.0.0.0');
      const probePort = container.readinessProbe?.httpGet?.port;
      const declared = container.ports?.find((p) => p.name === probePort || p.containerPort === probePort);
      expect(env[portVar], `${w.name} ${portVar}`).toBe(String(declared?.containerPort));
    }
  });
});

describe('the dev overlay, run here', () => {
  let database: TestDatabase;
  let nats: TestNats;
  let context: LocalContext;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const pods = new Map<string, LocalPod>();

  beforeAll(async () => {
    [database, nats, sink] = await Promise.all([createTestDatabase(), createTestNats(), startSink()]);
    const dockerfile = readDockerfile(DOCKERFILE);
    const runtime = stageNamed(dockerfile, 'runtime');
    if (!runtime) throw new Error('no runtime stage');
    context = {
      objects: objectsOf('dev'),
      imageEnv: effectiveEnv(dockerfile, runtime),
      serviceUrls: { postgres: database.url, nats: nats.url, 'otel-collector': sink.url },
      extraEnv: { NATS_NAMESPACE: nats.namespace },
    };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([...pods.values()].map((pod) => pod.stop()));
    await Promise.all([nats?.close(), database?.drop(), sink?.close()]);
  });

  it('starts every Deployment from its bundle with its manifest env; all probes answer 200', async () => {
    const deployments = switchboardWorkloads(objectsOf('dev')).filter((w) => w.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThanOrEqual(5);
    await Promise.all(
      deployments.map(async (w) => {
        const app = apps.get(program(w).pkg);
        if (!app) throw new Error(`no bundle for ${w.name}`);
        const pod = await startContainer(w, app.dir, context);
        pods.set(w.name, pod);
        const container = only(w.pod.containers, w.name);
        await waitFor200(pod, pod.probeUrl(container.readinessProbe), 45_000).catch((error: Error) => {
          throw new Error(`${w.name}: ${error.message}`);
        });
        for (const probe of [container.livenessProbe, container.startupProbe]) {
          const res = await fetch(pod.probeUrl(probe));
          expect(res.status, `${w.name} ${probe?.httpGet?.path}`).toBe(200);
        }
        // What the prometheus.io annotations point at: the probes' port, path /metrics.
        const metrics = await fetch(new URL('/metrics', pod.probeUrl(container.readinessProbe)));
        expect(metrics.status, `${w.name} /metrics`).toBe(200);
        expect(metrics.headers.get('content-type'), `${w.name} /metrics`).toMatch(/^text\/plain/);
        expect(pod.env.NODE_ENV, `${w.name}: the image's NODE_ENV`).toBe('production');
      }),
    );
  }, 60_000);

  it('serves a request through gateway, command handler, event store and projector', async () => {
    const gateway = pods.get('gateway');
    const container = switchboardWorkloads(objectsOf('dev')).find((w) => w.name === 'gateway')?.pod
      .containers[0];
    if (!gateway || !container) throw new Error('the gateway did not start');
    const base = new URL(gateway.probeUrl(container.readinessProbe)).origin;
    await runSmoke(base);
  });

  it('drains every Deployment on SIGTERM and exits 0 within its grace period', async () => {
    const deployments = switchboardWorkloads(objectsOf('dev')).filter((w) => pods.has(w.name));
    const results = await Promise.all(
      deployments.map(async (w) => {
        const pod = pods.get(w.name);
        if (!pod) throw new Error(`${w.name} did not start`);
        pods.delete(w.name);
        return { w, ...(await pod.stop()), output: pod.output.join('') };
      }),
    );
    for (const { w, code, ms, output } of results) {
      const preStop = w.pod.containers[0]?.lifecycle?.preStop?.exec?.command;
      const budgetMs =
        ((w.pod.terminationGracePeriodSeconds ?? 30) - (preStop ? Number(preStop[1]) : 0)) * 1000;
      expect({ service: w.name, code }, output).toEqual({ service: w.name, code: 0 });
      expect(ms, w.name).toBeLessThan(budgetMs);
    }
  }, 60_000);

  it('runs the migrations Job on an empty database, then the rebuild from its CronJob', async () => {
    const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    const name = `sb_deploy_${process.pid}_${Date.now().toString(36)}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${name}`;
    try {
      const jobs = switchboardWorkloads(objectsOf('dev'));
      const job = (kind: string, name: string) => {
        const found = jobs.find((w) => w.kind === kind && w.name === name);
        if (!found) throw new Error(`no ${kind} ${name}`);
        return found;
      };
      const jobContext = { ...context, serviceUrls: { ...context.serviceUrls, postgres: url.toString() } };
      for (const w of [job('Job', 'migrate'), job('CronJob', 'projections-rebuild')]) {
        const app = apps.get(program(w).pkg);
        if (!app) throw new Error(`no bundle for ${w.name}`);
        const env = resolveEnv(only(w.pod.containers, w.name), objectsOf('dev'));
        expect(env.unresolved, w.name).toEqual([]);
        const { code, output } = await runToCompletion(w, app.dir, jobContext, 30_000);
        expect({ job: w.name, code }, output).toEqual({ job: w.name, code: 0 });
      }
      const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const schemas = await db<{ nspname: string }[]>`
          SELECT nspname FROM pg_namespace WHERE nspname IN ('es', 'rm') ORDER BY nspname`;
        expect(schemas.map((s) => s.nspname)).toEqual(['es', 'rm']);
        const [applied] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM es.migrations`;
        expect(applied?.n).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 60_000);
});
