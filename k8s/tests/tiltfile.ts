// Reads the Tiltfile with Python's own parser (Starlark is a subset of Python's syntax): a syntax
// error fails here as it would in `tilt up`, and the literals the Tiltfile is built from can be
// compared with the repository.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './rendering.js';

const run = promisify(execFile);

export interface TiltfileOutline {
  /** Top-level assignments whose value is a literal (SERVICES, COMMANDS, PORTS, …). */
  constants: Record<string, unknown>;
  /** Every string literal anywhere in the file. */
  strings: string[];
  /** Names of the functions it calls (docker_build, k8s_yaml, …). */
  calls: string[];
  /** Workloads named literally as the first argument of k8s_resource. */
  workloads: string[];
}

const outline = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read(), sys.argv[1])
constants, strings, calls, workloads = {}, [], set(), []
for node in tree.body:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        try:
            constants[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            pass
for node in ast.walk(tree):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        strings.append(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        calls.add(node.func.id)
        first = node.args[0] if node.args else None
        if node.func.id == 'k8s_resource' and isinstance(first, ast.Constant) and isinstance(first.value, str):
            workloads.append(first.value)
print(json.dumps({'constants': constants, 'strings': strings, 'calls': sorted(calls), 'workloads': workloads}))
`;

export async function readTiltfile(path = join(ROOT, 'Tiltfile')): Promise<TiltfileOutline> {
  const { stdout } = await run('python3', ['-c', outline, path]).catch(
    (error: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(`python3 could not parse ${path}: ${error.stderr ?? error.message}`);
    },
  );
  return JSON.parse(stdout) as TiltfileOutline;
}
