import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './load-spec.js';
import { NodeProcess } from './processes.js';

/**
 * Runs a LoadSpec in a separate load-generator process (bench/load.ts) and returns its results. The
 * process is killed if it outlives its runs by more than `graceS`.
 */
export async function runLoad(spec: LoadSpec, graceS = 30): Promise<LoadResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const load = new NodeProcess('load', join('bench', 'load.ts'), {}, { args: [file] });
  const longest = Math.max(...spec.runs.map((r) => r.durationS));
  const timer = setTimeout(() => load.child.kill('SIGKILL'), (longest + graceS) * 1000);
  try {
    const code = await new Promise<number | null>((resolve) => load.child.once('exit', resolve));
    const line = load
      .logs()
      .split('\n')
      .find((l) => l.startsWith('RESULT '));
    if (code !== 0 || !line) throw new Error(`load generator failed (${code}):\n${load.logs()}`);
    return JSON.parse(line.slice('RESULT '.length)) as LoadResult[];
  } finally {
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}
