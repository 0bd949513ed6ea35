// Validation of rendered manifests against the Kubernetes API schemas, offline, in two passes:
// - kubernetes-models' JSON-schema validators (types, required fields, formats, enums);
// - a type check of each object as a TypeScript literal of its kubernetes-models interface, which
//   also rejects fields the API does not have (a misspelt `readinesProbe` would pass JSON-schema
//   validation, since the schemas allow extra properties, and be silently dropped by the API server).
import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './manifest-model.js';

const objectName = (object: K8sObject) => `${object.kind}/${object.metadata?.name}`;

/** `kubernetes-models/apps/v1/Deployment`, `kubernetes-models/v1/Service`, … */
export function modelModule(object: K8sObject): string {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/**
 * kustomize wraps long base64 values over several lines; the API server's base64 decoding skips line
 * breaks, the JSON-schema `byte` format does not.
 */
function withoutLineBreaksInSecrets(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...object, data };
}

export async function schemaProblems(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    let Model: ModelClass | undefined;
    try {
      const module = (await import(modelModule(object))) as Record<string, ModelClass>;
      Model = module[object.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(
        `${objectName(object)}: ${object.apiVersion} ${object.kind} is not a Kubernetes API type`,
      );
      continue;
    }
    try {
      new Model(withoutLineBreaksInSecrets(object)).validate();
    } catch (error) {
      problems.push(`${objectName(object)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

export function unknownFieldProblems(objects: K8sObject[]): string[] {
  // A module that is never written: it only has to sit where `kubernetes-models` resolves.
  const file = join(import.meta.dirname, '__rendered_manifests__.ts');
  const spans: { object: K8sObject; start: number; end: number }[] = [];
  let source = '';
  objects.forEach((object, i) => {
    source += `import type { I${object.kind} as T${i} } from '${modelModule(object)}';\n`;
  });
  objects.forEach((object, i) => {
    const start = source.length;
    source += `export const o${i}: T${i} = ${JSON.stringify(object, null, 1)};\n`;
    spans.push({ object, start, end: source.length });
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? source : readFile(name));

  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const at = diagnostic.start ?? -1;
    const span =
      diagnostic.file?.fileName === file ? spans.find((s) => at >= s.start && at < s.end) : undefined;
    return span ? `${objectName(span.object)}: ${message}` : message;
  });
}
