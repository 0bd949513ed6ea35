// infra/docker/Dockerfile: `pnpm deploy` targets existing workspace packages for every service it is
// built for, and the image follows the rules the manifests rely on (hadolint-style checks included).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspacePackages } from '../../infra/docker/bundle.js';
import {
  type Dockerfile,
  effective,
  effectiveEnv,
  lineage,
  readDockerfile,
  type Stage,
  stageNamed,
} from './dockerfile.js';
import { imagePackage, switchboardWorkloads } from './manifest-model.js';
import { overlayNames, type Rendering, ROOT, renderOverlay } from './rendering.js';
import { readTiltfile } from './tiltfile.js';

const DIR = join(ROOT, 'infra', 'docker');
// biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's build argument, not a template
const SERVICE_ARG = '${SERVICE}';
let dockerfile: Dockerfile;
let runtime: Stage;
const renders: Rendering[] = [];
/** Every value of SERVICE the Dockerfile is built with: the Tiltfile's and the manifests' images. */
const builtFor = new Set<string>();

beforeAll(async () => {
  dockerfile = readDockerfile(join(DIR, 'Dockerfile'));
  const last = dockerfile.stages.at(-1);
  if (!last) throw new Error('no stage');
  runtime = last;
  renders.push(...(await Promise.all(overlayNames().map(renderOverlay))));
  for (const rendering of renders) {
    for (const w of switchboardWorkloads(rendering.objects))
      builtFor.add(imagePackage(w.pod.containers[0]?.image) ?? '');
  }
  for (const name of (await readTiltfile()).constants.SERVICES as string[]) builtFor.add(name);
}, 60_000);
afterAll(() => {
  for (const rendering of renders) rendering.dispose();
});

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

describe('infra/docker/Dockerfile', () => {
  it('targets `pnpm deploy` at @switchboard/<SERVICE>, an existing workspace package for every service built', () => {
    const deploys = dockerfile.stages.flatMap(runs).filter((run) => /\bpnpm\b.*\bdeploy\b/.test(run));
    expect(deploys).toHaveLength(1);
    const filter = /--filter\s+"?([^"\s]+)"?/.exec(deploys[0] ?? '')?.[1];
    expect(filter).toBe(`@switchboard/${SERVICE_ARG}`);
    expect(deploys[0]).toMatch(/--prod\b/);
    const packages = workspacePackages();
    expect(builtFor.size).toBeGreaterThanOrEqual(5);
    for (const service of builtFor) {
      const target = filter?.replace(SERVICE_ARG, service) ?? '';
      expect(packages.has(target), `pnpm deploy --filter ${target}`).toBe(true);
      expect(packages.get(target)?.dir).toBe(join(ROOT, 'services', service));
    }
  });

  it('refuses to build without SERVICE', () => {
    const deployStage = dockerfile.stages.find((stage) => runs(stage).some((run) => /\bdeploy\b/.test(run)));
    expect(deployStage && runs(deployStage).some((run) => run.includes(`test -n "${SERVICE_ARG}"`))).toBe(
      true,
    );
  });

  it('ends with the production stage: non-root, NODE_ENV=production, /app, the command the manifests run', () => {
    expect(runtime.name).toBe('runtime');
    const user = effective(dockerfile, runtime, 'USER')?.args ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/); // numeric, so runAsNonRoot can be verified
    expect(effectiveEnv(dockerfile, runtime).NODE_ENV).toBe('production');
    expect(effective(dockerfile, runtime, 'WORKDIR')?.args).toBe('/app');
    const cmd = JSON.parse(effective(dockerfile, runtime, 'CMD')?.args ?? 'null') as string[];
    expect(cmd).toEqual(['node', '--enable-source-maps', 'dist/main.js']);
    const prod = renders.find((r) =>
      r.objects.some((o) => o.metadata.name === 'gateway' && o.kind === 'Deployment'),
    );
    const gateway = prod && switchboardWorkloads(prod.objects).find((w) => w.name === 'gateway');
    const manifestCommand = gateway?.pod.containers[0]?.command?.filter((arg) => arg !== '--watch');
    expect(manifestCommand).toEqual(cmd);
  });

  it('leaves health checks to the Kubernetes probes', () => {
    const all = dockerfile.stages.flatMap((stage) => stage.instructions);
    expect(all.filter((i) => i.keyword === 'HEALTHCHECK')).toEqual([]);
  });

  it('ships the bundle checked against the deployed node_modules, and no workspace source', () => {
    const bundleRun = dockerfile.stages.flatMap(runs).find((run) => run.includes('infra/docker/bundle.ts'));
    expect(bundleRun).toMatch(/--out \/deploy\/dist --node-modules \/deploy\/node_modules/);
    const deployRun = dockerfile.stages.flatMap(runs).find((run) => /\bdeploy\b/.test(run));
    expect(deployRun).toMatch(/rm -rf \/deploy\/node_modules\/@switchboard/);
    const copies = lineage(dockerfile, runtime)[0]?.instructions.filter((i) => i.keyword === 'COPY') ?? [];
    expect(copies.map((c) => c.args)).toEqual([
      '--from=deploy /deploy/package.json ./',
      '--from=deploy /deploy/node_modules ./node_modules',
      '--from=bundle /deploy/dist ./dist',
    ]);
  });

  it('has a dev stage that takes the bundle Tilt made, owned by the runtime user for live update', () => {
    const dev = stageNamed(dockerfile, 'dev');
    expect(dev && lineage(dockerfile, dev).map((s) => s.name)).toContain('base');
    const copy = dev?.instructions.find(
      (i) => i.keyword === 'COPY' && i.args.includes(`services/${SERVICE_ARG}/dist`),
    );
    expect(copy?.args).toMatch(/^--chown=1000:1000 services\/\$\{SERVICE\}\/dist \.\/dist$/);
  });

  it('installs the pnpm of package.json and pins every base image (no `latest`)', () => {
    const manager = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager as string;
    const args = dockerfile.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'ARG');
    const pnpm = args.map((a) => /^PNPM_VERSION=(\S+)$/.exec(a.args)?.[1]).find(Boolean);
    expect(`pnpm@${pnpm}`).toBe(manager);
    const defaults = Object.fromEntries(
      dockerfile.globalArgs.map((a) => a.args.split('=')).map(([k, v]) => [k, v ?? '']),
    );
    const stageNames = new Set(dockerfile.stages.map((s) => s.name));
    for (const stage of dockerfile.stages) {
      if (stageNames.has(stage.from)) continue;
      const image = stage.from.replace(/^\$\{(\w+)\}$/, (_, name: string) => defaults[name] ?? '');
      expect(image, `FROM ${stage.from}`).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('copies only from stages defined before', () => {
    dockerfile.stages.forEach((stage, index) => {
      const earlier = dockerfile.stages.slice(0, index).map((s) => s.name);
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY')) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        if (from) expect(earlier, `line ${copy.line}`).toContain(from);
      }
    });
  });

  it('keeps dependencies, secrets and local state out of the build context', () => {
    const ignore = readFileSync(join(DIR, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(
      expect.arrayContaining(['**/node_modules', '.git', '.env', 'k8s/overlays/*/secrets.env']),
    );
    // the dev stage needs the bundle Tilt made
    expect(ignore.filter((line) => /dist/.test(line) && !line.startsWith('#'))).toEqual([]);
  });
});
