// The Tiltfile parses (Starlark is Python syntax), names every service under services/, and points at
// workloads, ports and files that exist.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPort, find, only, switchboardWorkloads, workloads } from './manifest-model.js';
import { type Rendering, ROOT, renderOverlay } from './rendering.js';
import { serviceDirs } from './service-code.js';
import { readTiltfile, type TiltfileOutline } from './tiltfile.js';

let tilt: TiltfileOutline;
let dev: Rendering;

beforeAll(async () => {
  [tilt, dev] = await Promise.all([readTiltfile(), renderOverlay('dev')]);
}, 60_000);
afterAll(() => dev?.dispose());

const list = (name: string): string[] => {
  const value = tilt.constants[name];
  if (!Array.isArray(value)) throw new Error(`the Tiltfile has no list ${name}`);
  return value as string[];
};

describe('the Tiltfile', () => {
  it('names every service under services/: the processes in SERVICES, the commands in COMMANDS', () => {
    const services = serviceDirs();
    expect([...list('SERVICES')].sort()).toEqual(services.filter((s) => s.longRunning).map((s) => s.name));
    expect([...list('COMMANDS')].sort()).toEqual(services.filter((s) => !s.longRunning).map((s) => s.name));
  });

  it('builds an image for every Switchboard workload of the dev overlay', () => {
    const images = new Set(
      switchboardWorkloads(dev.objects).map((w) =>
        only(w.pod.containers, w.name).image?.replace(/^switchboard\//, ''),
      ),
    );
    expect([...images].filter((image) => !list('SERVICES').includes(image ?? ''))).toEqual([]);
  });

  it('deploys the dev overlay with live update through the production Dockerfile', () => {
    expect(tilt.calls).toEqual(
      expect.arrayContaining(['kustomize', 'k8s_yaml', 'docker_build', 'sync', 'local_resource']),
    );
    expect(tilt.strings).toEqual(
      expect.arrayContaining(['k8s/overlays/dev', 'infra/docker/Dockerfile', 'dev', '/app/dist']),
    );
  });

  it('configures only workloads that the dev overlay has', () => {
    const names = workloads(dev.objects).map((w) => w.name);
    expect(tilt.workloads.length).toBeGreaterThan(0);
    expect(tilt.workloads.filter((name) => !names.includes(name))).toEqual([]);
    // infrastructure first: every service waits for these
    expect(tilt.strings).toEqual(expect.arrayContaining(['nats', 'postgres', 'migrate', 'config']));
  });

  it('forwards the gateway on 3100 and the Jaeger UI to ports the pods serve', () => {
    const ports = tilt.constants.PORTS as Record<string, number>;
    expect(ports.gateway).toBe(3100);
    const port = (kind: string, name: string, target: number | string) => {
      const workload = workloads([
        find(dev.objects, kind, name) ?? { kind, apiVersion: '', metadata: { name } },
      ])[0];
      return workload && containerPort(only(workload.pod.containers, name), target);
    };
    expect(port('Deployment', 'gateway', 3100)).toBe(3100);
    expect(port('Deployment', 'jaeger', 16686)).toBe(16686);
    expect(port('StatefulSet', 'postgres', 5432)).toBe(5432);
    expect(port('StatefulSet', 'nats', 4222)).toBe(4222);
    // '<local>:<container port>' templates of the port_forwards
    expect(tilt.strings).toEqual(expect.arrayContaining(['%d:3100', '%d:16686', '%d:5432', '%d:4222']));
    expect(Object.keys(ports).sort()).toEqual(['gateway', 'jaeger', 'nats', 'nats-monitor', 'postgres']);
  });

  it('runs scripts that exist: bundling, dev secrets, the smoke test', () => {
    const scripts = tilt.strings
      .flatMap((s) =>
        [...s.matchAll(/(?:^|\s)((?:infra|k8s)\/[\w./-]+\.(?:ts|mjs|sh))/g)].map((m) => m[1] ?? ''),
      )
      .sort();
    expect(scripts).toEqual(
      expect.arrayContaining([
        'infra/docker/bundle.ts',
        'k8s/overlays/dev/make-secrets.mjs',
        'k8s/overlays/dev/run-job-from-cronjob.sh',
        'k8s/tests/cluster-smoke.ts',
      ]),
    );
    for (const script of scripts) expect(existsSync(join(ROOT, script)), script).toBe(true);
  });

  it('has the test resources and the projections rebuild button', () => {
    expect(tilt.strings).toEqual(
      expect.arrayContaining(['unit-tests', 'e2e-tests', 'cluster-smoke', 'projections-rebuild']),
    );
    expect(tilt.strings.some((s) => s.includes('run-job-from-cronjob.sh projections-rebuild'))).toBe(true);
    expect(find(dev.objects, 'CronJob', 'projections-rebuild')).toBeDefined();
  });
});
