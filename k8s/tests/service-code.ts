// What the code under services/ is and reads: which services run as processes (they call
// runService) and which are commands, and which environment variables a bundled program reads
// (its config schema's properties, and any `process.env.NAME` in the code bundled into it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './rendering.js';

export interface ServiceDir {
  name: string;
  dir: string;
  /** Runs until stopped (its main calls runService): a Deployment. Otherwise a command. */
  longRunning: boolean;
}

export function serviceDirs(): ServiceDir[] {
  const services = join(ROOT, 'services');
  return readdirSync(services, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(services, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(services, entry.name);
      const main = join(dir, 'src', 'main.ts');
      const longRunning = existsSync(main) && /\brunService\s*\(/.test(readFileSync(main, 'utf8'));
      return { name: entry.name, dir, longRunning };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface ConfigSchema {
  properties: Record<string, { default?: unknown }>;
  required?: string[];
}

const isConfigSchema = (value: unknown): value is ConfigSchema =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === 'object' &&
  typeof (value as { properties?: unknown }).properties === 'object';

/** The TypeBox object schemas a service's src/config.ts exports (what `loadConfig` reads). */
export async function configSchemas(configFile: string): Promise<ConfigSchema[]> {
  const module = (await import(configFile)) as Record<string, unknown>;
  return Object.values(module).filter(isConfigSchema);
}

export interface EnvReads {
  /** Every variable the program may read. */
  names: Set<string>;
  /** Variables its config schema requires and gives no default: the program refuses to start without. */
  required: Set<string>;
}

/** What the program bundled from `sources` reads from its environment. */
export async function envReads(sources: string[]): Promise<EnvReads> {
  const names = new Set<string>();
  const required = new Set<string>();
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(
      /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g,
    )) {
      const name = match[1] ?? match[2];
      if (name) names.add(name);
    }
    const isServiceConfig =
      basename(file) === 'config.ts' && basename(dirname(dirname(dirname(file)))) === 'services';
    if (!isServiceConfig) continue;
    for (const schema of await configSchemas(file)) {
      for (const [name, property] of Object.entries(schema.properties)) {
        names.add(name);
        if (schema.required?.includes(name) && property.default === undefined) required.add(name);
      }
    }
  }
  return { names, required };
}
