// Typed access to rendered manifests: the pod template of each workload, and what its environment
// resolves to through the rendered ConfigMaps and Secrets.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [field: string]: unknown;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob';

export interface Workload {
  kind: WorkloadKind;
  name: string;
  object: K8sObject;
  template: IPodTemplateSpec;
  pod: IPodSpec;
}

/** The pod template of a workload kind, wherever that kind keeps it. */
export function podTemplate(object: K8sObject): IPodTemplateSpec | undefined {
  const spec = object.spec as
    | { template?: IPodTemplateSpec; jobTemplate?: { spec?: { template?: IPodTemplateSpec } } }
    | undefined;
  const kind = object.kind as WorkloadKind;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'Job':
      return spec?.template;
    case 'CronJob':
      return spec?.jobTemplate?.spec?.template;
    default: {
      const other: never = kind;
      void other;
      return undefined;
    }
  }
}

const workloadKinds: readonly string[] = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((object) => workloadKinds.includes(object.kind))
    .map((object) => {
      const template = podTemplate(object);
      if (!template?.spec) throw new Error(`${object.kind}/${object.metadata.name} has no pod template`);
      return {
        kind: object.kind as WorkloadKind,
        name: object.metadata.name,
        object,
        template,
        pod: template.spec,
      };
    });
}

/** Workloads whose image is one of ours (`switchboard/<package>`, in any registry). */
export function switchboardWorkloads(objects: K8sObject[]): Workload[] {
  return workloads(objects).filter((w) => w.pod.containers.some((c) => imagePackage(c.image) !== undefined));
}

/** `@switchboard/<x>`'s `<x>` for an image named `…switchboard/<x>[:tag]`. */
export function imagePackage(image: string | undefined): string | undefined {
  const match = /(?:^|\/)switchboard\/([a-z0-9-]+)(?::[\w.-]+)?(?:@sha256:[a-f0-9]+)?$/.exec(image ?? '');
  return match?.[1];
}

export function only<T>(items: T[] | undefined, what: string): T {
  if (items?.length !== 1 || items[0] === undefined) {
    throw new Error(`expected exactly one ${what}, found ${items?.length ?? 0}`);
  }
  return items[0];
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] =>
  objects.filter((object) => object.kind === kind);

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);

export interface ResolvedEnv {
  values: Record<string, string>;
  /** References that point at no rendered ConfigMap/Secret key: `kind/name#key`. */
  unresolved: string[];
}

/** The container's environment as Kubernetes would set it from the rendered objects. */
export function resolveEnv(container: IContainer, objects: K8sObject[]): ResolvedEnv {
  const values: Record<string, string> = {};
  const unresolved: string[] = [];
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string, key: string): string | undefined => {
    const source = find(objects, kind, name);
    const raw = source?.data?.[key];
    if (raw === undefined) return undefined;
    return kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  };
  for (const env of container.env ?? []) {
    const value = envValue(env, lookup);
    if (value === undefined) unresolved.push(describeRef(env));
    else values[env.name] = value;
  }
  return { values, unresolved };
}

function envValue(
  env: IEnvVar,
  lookup: (kind: 'ConfigMap' | 'Secret', name: string, key: string) => string | undefined,
): string | undefined {
  if (env.value !== undefined) return env.value;
  const config = env.valueFrom?.configMapKeyRef;
  if (config) return lookup('ConfigMap', config.name ?? '', config.key);
  const secret = env.valueFrom?.secretKeyRef;
  if (secret) return lookup('Secret', secret.name ?? '', secret.key);
  // set by the kubelet from the pod itself (e.g. metadata.name)
  const field = env.valueFrom?.fieldRef ?? env.valueFrom?.resourceFieldRef;
  if (field) return `<${'fieldPath' in field ? field.fieldPath : field.resource}>`;
  return undefined;
}

export function describeRef(env: IEnvVar): string {
  const config = env.valueFrom?.configMapKeyRef;
  if (config) return `ConfigMap/${config.name}#${config.key}`;
  const secret = env.valueFrom?.secretKeyRef;
  if (secret) return `Secret/${secret.name}#${secret.key}`;
  return `${env.name} (no value)`;
}

/** The container port a probe or Service points at (by name or number). */
export function containerPort(container: IContainer, port: number | string): number | undefined {
  if (typeof port === 'number')
    return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export const labelsMatch = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string> = {},
) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels[key] === value);
