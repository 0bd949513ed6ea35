// Renders the kustomize overlays the way `kubectl apply -k` / Tilt would, from a copy of k8s/ in which
// each overlay's git-ignored secret files are made by the overlay's own make-secrets.mjs, as on a
// developer's first `tilt up`.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, parseDocument } from 'yaml';
import type { K8sObject } from './manifest-model.js';

const run = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const K8S = join(ROOT, 'k8s');

export const overlayNames = (): string[] =>
  readdirSync(join(K8S, 'overlays'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

export interface Rendering {
  /** The copy of k8s/ that was rendered (removed by `dispose`). */
  dir: string;
  objects: K8sObject[];
  dispose(): void;
}

/** A copy of k8s/ without the tests, with secret files made as `tilt up` makes them. */
export async function copyK8s(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-k8s-'));
  cpSync(K8S, dir, {
    recursive: true,
    filter: (source) => !source.startsWith(join(K8S, 'tests')) && !source.endsWith('secrets.env'),
  });
  for (const overlay of overlayNames()) {
    const script = join(dir, 'overlays', overlay, 'make-secrets.mjs');
    if (existsSync(script)) await run(process.execPath, [script]);
  }
  return dir;
}

export async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: NodeJS.ErrnoException & { stderr?: string }) => {
      if (error.code === 'ENOENT') {
        throw new Error('kubectl is not installed (Debian: apt-get install kubernetes-client)');
      }
      throw new Error(`kubectl kustomize ${dir} failed: ${error.stderr ?? error.message}`);
    },
  );
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`unparsable output of kustomize: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

export async function renderOverlay(overlay: string): Promise<Rendering> {
  const dir = await copyK8s();
  try {
    const objects = await kustomize(join(dir, 'overlays', overlay));
    return { dir, objects, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
