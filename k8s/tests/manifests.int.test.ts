// Every overlay renders with kustomize and is valid, consistent Kubernetes: schemas, references
// between objects, probes, resources, hardening, shutdown budgets, and the shape each overlay
// promises (docs/deploy.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byKind,
  containerPort,
  find,
  imagePackage,
  type K8sObject,
  labelsMatch,
  resolveEnv,
  switchboardWorkloads,
  workloads,
} from './manifest-model.js';
import { K8S, overlayNames, type Rendering, ROOT, renderOverlay } from './rendering.js';
import { schemaProblems, unknownFieldProblems } from './schema-validation.js';

const renders = new Map<string, Rendering>();
const objectsOf = (overlay: string): K8sObject[] => {
  const rendering = renders.get(overlay);
  if (!rendering) throw new Error(`${overlay} was not rendered`);
  return rendering.objects;
};

beforeAll(async () => {
  const all = await Promise.all([
    ...overlayNames().map(async (name) => [name, await renderOverlay(name)] as const),
  ]);
  for (const [name, rendering] of all) renders.set(name, rendering);
}, 60_000);
afterAll(() => {
  for (const rendering of renders.values()) rendering.dispose();
});

/** Keys of the Secret that the prod-example overlay expects from the cluster, as its comment lists them. */
const documentedExternalSecretKeys = (): string[] => {
  const text = readFileSync(join(K8S, 'overlays', 'prod-example', 'kustomization.yaml'), 'utf8');
  return [...text.matchAll(/^#\s+([A-Z][A-Z0-9_]*)\s{2,}\S/gm)].map((m) => m[1] ?? '');
};

/** runService's drain budget (ms): what a pod needs between SIGTERM and exit. */
const drainBudgetMs = (): number => {
  const code = readFileSync(join(ROOT, 'libs', 'runtime', 'src', 'run-service.ts'), 'utf8');
  const match = /drainTimeoutMs\s*\?\?\s*([\d_]+)/.exec(code);
  if (!match?.[1]) throw new Error('cannot find the default drain timeout in libs/runtime');
  return Number(match[1].replaceAll('_', ''));
};

describe('the overlays', () => {
  it('are the ones docs/deploy.md describes', () => {
    expect(overlayNames()).toEqual(['dev', 'prod-example']);
  });

  it('render to objects that pass the Kubernetes API schemas', async () => {
    for (const [name, rendering] of renders) {
      expect(rendering.objects.length, name).toBeGreaterThan(10);
      expect(await schemaProblems(rendering.objects), name).toEqual([]);
    }
  });

  it('use no field the Kubernetes API does not have', () => {
    const all = [...renders.values()].flatMap((rendering) => rendering.objects);
    expect(unknownFieldProblems(all)).toEqual([]);
  });

  it('put everything in the switchboard namespace', () => {
    for (const [name, rendering] of renders) {
      const namespaced = rendering.objects.filter((o) => o.kind !== 'Namespace');
      expect(
        namespaced
          .filter((o) => o.metadata.namespace !== 'switchboard')
          .map((o) => `${o.kind}/${o.metadata.name}`),
        name,
      ).toEqual([]);
    }
  });
});

describe.each(['dev', 'prod-example'])('%s: references between objects', (overlay) => {
  it('resolve every ConfigMap and Secret key a container reads (prod-example: its Secret comes from the cluster)', () => {
    const objects = objectsOf(overlay);
    const external = overlay === 'prod-example' ? documentedExternalSecretKeys() : [];
    const missing: string[] = [];
    const externalUsed = new Set<string>();
    for (const workload of workloads(objects)) {
      for (const container of workload.pod.containers) {
        for (const ref of resolveEnv(container, objects).unresolved) {
          const secretKey = /^Secret\/switchboard-secrets#(.+)$/.exec(ref)?.[1];
          if (secretKey && external.includes(secretKey)) externalUsed.add(secretKey);
          else missing.push(`${workload.name}: ${ref}`);
        }
      }
      for (const volume of workload.pod.volumes ?? []) {
        if (volume.configMap && !find(objects, 'ConfigMap', volume.configMap.name ?? '')) {
          missing.push(`${workload.name}: volume ConfigMap/${volume.configMap.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
    if (overlay === 'prod-example') {
      expect(external.sort()).toEqual(['ADMIN_KEY', 'DATABASE_URL', 'SECRETS_KEY']);
      expect([...externalUsed].sort()).toEqual(external.sort());
    }
  });

  it('give every Service pods to select and a port those pods declare', () => {
    const objects = objectsOf(overlay);
    for (const service of byKind(objects, 'Service') as unknown as IService[]) {
      const name = service.metadata?.name;
      const targets = workloads(objects).filter((w) =>
        labelsMatch(service.spec?.selector, w.template.metadata?.labels),
      );
      expect(
        targets.map((w) => w.name),
        `Service ${name} selects`,
      ).toHaveLength(1);
      const container = targets[0]?.pod.containers[0];
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        expect(container && containerPort(container, target), `Service ${name} port ${target}`).toBeTypeOf(
          'number',
        );
      }
    }
  });

  it('autoscale Deployments that leave their replica count to the autoscaler', () => {
    const objects = objectsOf(overlay);
    const autoscalers = byKind(objects, 'HorizontalPodAutoscaler') as unknown as IHorizontalPodAutoscaler[];
    expect(autoscalers.map((h) => h.metadata?.name)).toContain('gateway');
    for (const hpa of autoscalers) {
      const target = find(objects, hpa.spec?.scaleTargetRef.kind ?? '', hpa.spec?.scaleTargetRef.name ?? '');
      expect(target, `HPA ${hpa.metadata?.name} target`).toBeDefined();
      expect(
        (target?.spec as { replicas?: number } | undefined)?.replicas,
        `${hpa.metadata?.name} replicas`,
      ).toBeUndefined();
      expect(hpa.spec?.minReplicas ?? 1).toBeLessThanOrEqual(hpa.spec?.maxReplicas ?? 0);
      const pods = workloads([target as K8sObject])[0]?.pod.containers[0]?.resources?.requests;
      expect(pods?.cpu, `${hpa.metadata?.name}: CPU utilisation needs a CPU request`).toBeDefined();
    }
  });

  it('give every disruption budget pods to protect', () => {
    const objects = objectsOf(overlay);
    const budgets = byKind(objects, 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[];
    expect(budgets.map((b) => b.metadata?.name)).toContain('gateway');
    for (const budget of budgets) {
      const selected = workloads(objects).filter((w) =>
        labelsMatch(budget.spec?.selector?.matchLabels, w.template.metadata?.labels),
      );
      expect(selected, `PDB ${budget.metadata?.name}`).toHaveLength(1);
    }
  });
});

describe.each(['dev', 'prod-example'])('%s: workloads', (overlay) => {
  it('probe every long-running Switchboard container: startup and liveness on /healthz, readiness on /readyz', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay)).filter((w) => w.kind === 'Deployment')) {
      for (const container of w.pod.containers) {
        const probes = {
          startup: container.startupProbe?.httpGet,
          liveness: container.livenessProbe?.httpGet,
          readiness: container.readinessProbe?.httpGet,
        };
        expect(
          {
            startup: probes.startup?.path,
            liveness: probes.liveness?.path,
            readiness: probes.readiness?.path,
          },
          w.name,
        ).toEqual({ startup: '/healthz', liveness: '/healthz', readiness: '/readyz' });
        for (const probe of Object.values(probes)) {
          expect(probe && containerPort(container, probe.port), `${w.name} probe port`).toBeTypeOf('number');
        }
      }
    }
  });

  it('let Prometheus scrape every long-running Switchboard pod at /metrics, on the port its probes use', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay)).filter((w) => w.kind === 'Deployment')) {
      const annotations = w.template.metadata?.annotations ?? {};
      expect(
        { scrape: annotations['prometheus.io/scrape'], path: annotations['prometheus.io/path'] },
        w.name,
      ).toEqual({ scrape: 'true', path: '/metrics' });
      const container = w.pod.containers[0];
      const probePort = container?.readinessProbe?.httpGet?.port;
      expect(
        container && probePort !== undefined && String(containerPort(container, probePort)),
        w.name,
      ).toBe(annotations['prometheus.io/port']);
    }
  });

  it('probe every infrastructure container too', () => {
    for (const w of workloads(objectsOf(overlay)).filter((w) => w.kind !== 'Job' && w.kind !== 'CronJob')) {
      for (const container of w.pod.containers) {
        expect(container.readinessProbe, `${w.name} readiness`).toBeDefined();
        expect(container.livenessProbe, `${w.name} liveness`).toBeDefined();
      }
    }
  });

  it('request CPU and memory for every container and cap its memory', () => {
    for (const w of workloads(objectsOf(overlay))) {
      for (const container of w.pod.containers) {
        const { requests, limits } = container.resources ?? {};
        expect({ cpu: requests?.cpu !== undefined, memory: requests?.memory !== undefined }, w.name).toEqual({
          cpu: true,
          memory: true,
        });
        expect(limits?.memory, `${w.name} memory limit`).toBeDefined();
      }
    }
  });

  it('run Switchboard containers as non-root, without privileges, API token or (outside dev) a writable root', () => {
    for (const w of switchboardWorkloads(objectsOf(overlay))) {
      expect(w.pod.automountServiceAccountToken, w.name).toBe(false);
      expect(w.pod.securityContext?.runAsNonRoot, w.name).toBe(true);
      expect(w.pod.securityContext?.runAsUser, w.name).toBeGreaterThan(0);
      for (const container of w.pod.containers) {
        const context = container.securityContext;
        expect(context?.allowPrivilegeEscalation, w.name).toBe(false);
        expect(context?.capabilities?.drop, w.name).toEqual(['ALL']);
        // dev: Tilt's live update writes the new dist/ into the running container
        const writable = overlay === 'dev' && w.kind === 'Deployment';
        expect(context?.readOnlyRootFilesystem, w.name).toBe(!writable);
      }
    }
  });

  it('give each Switchboard pod the time to drain after SIGTERM (preStop + runService drain budget)', () => {
    const drainSeconds = drainBudgetMs() / 1000;
    for (const w of switchboardWorkloads(objectsOf(overlay)).filter((w) => w.kind === 'Deployment')) {
      const container = w.pod.containers[0];
      const preStop = container?.lifecycle?.preStop?.exec?.command;
      const preStopSeconds = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect(w.pod.terminationGracePeriodSeconds, w.name).toBeGreaterThanOrEqual(
        preStopSeconds + drainSeconds,
      );
    }
  });

  it('hold a preStop pause on the gateway only (it alone takes traffic through a Service)', () => {
    const pausing = switchboardWorkloads(objectsOf(overlay))
      .filter((w) => w.pod.containers[0]?.lifecycle?.preStop)
      .map((w) => w.name);
    expect(pausing).toEqual(['gateway']);
  });
});

describe('the dev overlay', () => {
  it('runs one NATS server with JetStream on a volume, PostgreSQL, the collector and Jaeger', () => {
    const objects = objectsOf('dev');
    const nats = find(objects, 'StatefulSet', 'nats')?.spec as {
      replicas?: number;
      volumeClaimTemplates?: unknown[];
    };
    expect(nats.replicas).toBe(1);
    expect(nats.volumeClaimTemplates).toHaveLength(1);
    expect(find(objects, 'StatefulSet', 'postgres')).toBeDefined();
    expect(find(objects, 'Deployment', 'otel-collector')).toBeDefined();
    expect(find(objects, 'Deployment', 'jaeger')).toBeDefined();
    const config = byKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('switchboard-config'));
    expect(config?.data?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
  });

  it('generates its Secret from the git-ignored secrets.env, with keys the production checks accept', () => {
    const objects = objectsOf('dev');
    const secret = byKind(objects, 'Secret').find((s) => s.metadata.name.startsWith('switchboard-secrets'));
    const value = (key: string) => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');
    expect(value('SECRETS_KEY')).toMatch(/^[0-9a-f]{64}$/);
    expect(value('SECRETS_KEY')).not.toMatch(/^0+$/);
    expect(value('ADMIN_KEY')).not.toBe('dev-admin-key');
    expect(value('ADMIN_KEY').length).toBeGreaterThanOrEqual(32);
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('k8s/overlays/dev/secrets.env');
  });

  it('leaves image names for Tilt to fill in', () => {
    for (const w of switchboardWorkloads(objectsOf('dev'))) {
      expect(w.pod.containers[0]?.image, w.name).toMatch(/^switchboard\/[a-z-]+$/);
    }
  });
});

describe('the prod-example overlay', () => {
  it('runs NATS as a three-server JetStream cluster whose routes name each server', () => {
    const objects = objectsOf('prod-example');
    const nats = find(objects, 'StatefulSet', 'nats')?.spec as { replicas?: number };
    expect(nats.replicas).toBe(3);
    const conf = byKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('nats-config'))?.data?.[
      'nats.conf'
    ];
    for (const pod of ['nats-0', 'nats-1', 'nats-2'])
      expect(conf).toContain(`nats://${pod}.nats-headless:6222`);
    expect(conf).toMatch(/jetstream\s*\{/);
  });

  it('runs no PostgreSQL of its own and keeps a standby for each single-leader service', () => {
    const objects = objectsOf('prod-example');
    expect(find(objects, 'StatefulSet', 'postgres')).toBeUndefined();
    for (const name of ['relay', 'projector']) {
      expect(
        (find(objects, 'Deployment', name)?.spec as { replicas?: number } | undefined)?.replicas,
        name,
      ).toBe(2);
    }
  });

  it('pins every image to a registry and a tag', () => {
    for (const w of workloads(objectsOf('prod-example'))) {
      for (const container of w.pod.containers) {
        expect(container.image, w.name).toMatch(/:[\w.-]+$|@sha256:/);
        expect(container.image, w.name).not.toMatch(/:latest$/);
        if (imagePackage(container.image)) expect(container.image, w.name).toMatch(/^[a-z0-9.-]+\.[a-z]+\//);
      }
    }
  });
});

describe('the connectors', () => {
  const channels = ['email', 'messenger', 'slack', 'smooch', 'teams', 'telegram', 'twilio', 'vonage'];
  it('are one connector-<channel> per channel everywhere: names, labels, selectors, image, CHANNEL, autoscaler', () => {
    const objects = objectsOf('dev');
    const connectors = objects.filter((o) => o.metadata.name.startsWith('connector-'));
    expect(connectors.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      channels
        .flatMap((c) =>
          ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'].map(
            (k) => `${k}/connector-${c}`,
          ),
        )
        .sort(),
    );
    for (const deployment of switchboardWorkloads(connectors)) {
      const channel = deployment.name.replace(/^connector-/, '');
      expect(deployment.template.metadata?.labels?.['app.kubernetes.io/name']).toBe(deployment.name);
      expect(deployment.pod.containers[0]?.image).toBe('switchboard/connector');
      const container = deployment.pod.containers[0];
      expect(container?.env?.find((e) => e.name === 'CHANNEL')?.value).toBe(channel);
      // shared configuration is referenced, not renamed
      expect(container && resolveEnv(container, objects).unresolved).toEqual([]);
      const hpa = find(
        objects,
        'HorizontalPodAutoscaler',
        deployment.name,
      ) as unknown as IHorizontalPodAutoscaler;
      expect(hpa.spec?.scaleTargetRef.name).toBe(deployment.name);
    }
  });
});
