// A small Dockerfile reader: instructions per stage (continuation lines joined, comments dropped) and
// what a stage ends up with once the stages it is built FROM are followed.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM (usable in FROM lines). */
  globalArgs: Instruction[];
  stages: Stage[];
}

export function readDockerfile(path: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (!pending && (line === '' || line.startsWith('#'))) return;
      if (pending && line.startsWith('#')) return; // comment inside a continued instruction
      const text = pending ? `${pending.text} ${line}` : line;
      const start = pending?.line ?? index + 1;
      if (text.endsWith('\\')) {
        pending = { text: text.slice(0, -1).trimEnd(), line: start };
        return;
      }
      pending = undefined;
      const match = /^(\S+)\s*(.*)$/.exec(text);
      if (match?.[1])
        instructions.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: start });
    });

  const dockerfile: Dockerfile = { globalArgs: [], stages: [] };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match?.[1]) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      dockerfile.stages.push({ name: match[2], from: match[1], instructions: [] });
    } else {
      const stage = dockerfile.stages.at(-1);
      if (stage) stage.instructions.push(instruction);
      else if (instruction.keyword === 'ARG') dockerfile.globalArgs.push(instruction);
      else throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
    }
  }
  return dockerfile;
}

export const stageNamed = (dockerfile: Dockerfile, name: string): Stage | undefined =>
  dockerfile.stages.find((stage) => stage.name === name);

/** The stage and the stages it is built FROM, nearest first. */
export function lineage(dockerfile: Dockerfile, stage: Stage): Stage[] {
  const chain = [stage];
  for (
    let parent = stageNamed(dockerfile, stage.from);
    parent;
    parent = stageNamed(dockerfile, parent.from)
  ) {
    if (chain.includes(parent)) throw new Error(`stage ${parent.name} is built from itself`);
    chain.push(parent);
  }
  return chain;
}

/** The last value an instruction took along a stage's lineage (ENV keys merged). */
export function effective(dockerfile: Dockerfile, stage: Stage, keyword: string): Instruction | undefined {
  for (const current of lineage(dockerfile, stage)) {
    const found = current.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
  }
  return undefined;
}

export function effectiveEnv(dockerfile: Dockerfile, stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const current of lineage(dockerfile, stage).reverse()) {
    for (const instruction of current.instructions.filter((i) => i.keyword === 'ENV')) {
      for (const match of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
        if (match[1]) env[match[1]] = (match[2] ?? '').replace(/^"|"$/g, '');
      }
    }
  }
  return env;
}
