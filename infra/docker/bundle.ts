// Bundles one service's TypeScript (its own code and the workspace packages it uses) into plain
// JavaScript under `dist/`, leaving every third-party package as an import that Node resolves from the
// `node_modules` that `pnpm deploy --prod` produced. Why this split: docs/deploy.md, "Images".
//
//   node --import tsx infra/docker/bundle.ts <service> [--out <dir>] [--node-modules <dir>]
//
// Entry points are the package's scripts that run `tsx src/<name>.ts` (`start` → dist/main.js, the
// projector's `rebuild` → dist/rebuild.js), plus the programs below that ship in a service's image. With --node-modules, every package the bundle imports must
// be there at the version the workspace resolves it to, so a bundle never runs against other code than
// the one it was tested with.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The part of esbuild's API used here (esbuild is not a dependency of its own: see below). */
declare namespace Esbuild {
  interface OnResolveArgs {
    path: string;
    importer: string;
  }
  interface Plugin {
    name: string;
    setup(build: {
      onResolve(
        options: { filter: RegExp },
        callback: (args: OnResolveArgs) => { path: string; external: boolean } | undefined,
      ): void;
    }): void;
  }
  interface Metafile {
    outputs: Record<
      string,
      {
        entryPoint?: string;
        inputs: Record<string, unknown>;
        imports: { path: string; external?: boolean }[];
      }
    >;
  }
  interface BuildResult {
    outputFiles: { path: string; contents: Uint8Array }[];
    metafile: Metafile;
  }
  interface Api {
    build(
      options: Record<string, unknown> & { plugins: Plugin[]; write: false; metafile: true },
    ): Promise<BuildResult>;
  }
}

const require = createRequire(import.meta.url);
// esbuild comes with tsx (a root devDependency); resolved through it rather than declared twice.
const esbuild: Esbuild.Api = createRequire(require.resolve('tsx/package.json'))('esbuild');

interface PackageJson {
  name: string;
  version?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: PackageJson;
}

export interface ResolvedPackage {
  version: string;
  dir: string;
}

export interface BundleOptions {
  service: string;
  /** Where the bundle goes; `services/<service>/dist` by default. */
  outDir?: string;
  /** The node_modules the bundle will run with; checked when given. */
  nodeModules?: string;
  root?: string;
}

export interface BundleResult {
  outDir: string;
  /** Entry names, `main` first: each is `<outDir>/<name>.js`. */
  entries: string[];
  /** Third-party packages the bundle imports, as the workspace resolves each (version, real folder). */
  externals: Map<string, ResolvedPackage>;
  /** Per entry, the source files bundled into it (absolute paths). */
  sources: Map<string, string[]>;
  /** Whether any output file differs from what was there (unchanged files are not rewritten). */
  changed: boolean;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The workspace's packages, from the globs of pnpm-workspace.yaml (`dir` or `dir/*` entries). */
export function workspacePackages(root = ROOT): Map<string, WorkspacePackage> {
  const globs: string[] = [];
  let inPackages = false;
  for (const line of readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) inPackages = line.startsWith('packages:');
    const item = inPackages ? /^\s+-\s+['"]?([^'"#\s]+)/.exec(line) : null;
    if (item?.[1]) globs.push(item[1]);
  }
  const dirs = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [join(root, glob)];
    const parent = join(root, glob.slice(0, -2));
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name));
  });
  const packages = new Map<string, WorkspacePackage>();
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJson<PackageJson>(file);
    packages.set(manifest.name, { name: manifest.name, dir, manifest });
  }
  return packages;
}

const runtimeDependencies = (manifest: PackageJson): string[] => [
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.optionalDependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {}),
];

/** A package and the workspace packages it depends on at run time, transitively. */
export function productionClosure(name: string, packages: Map<string, WorkspacePackage>): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    seen.add(current);
    const pkg = packages.get(current);
    if (!pkg) return;
    for (const dep of runtimeDependencies(pkg.manifest)) if (packages.has(dep)) visit(dep);
  };
  visit(name);
  return seen;
}

/** Programs of this folder that ship in a service's image: the migrations Job runs the projector's. */
const imageExtras: Record<string, Record<string, string>> = {
  '@switchboard/projector': { migrate: join(import.meta.dirname, 'migrate.ts') },
};

/** `tsx src/<file>.ts` scripts of a package and its image extras: the programs its image runs. */
export function entryPoints(pkg: WorkspacePackage): Map<string, string> {
  const entries = new Map<string, string>(Object.entries(imageExtras[pkg.name] ?? {}));
  for (const script of Object.values(pkg.manifest.scripts ?? {})) {
    const match = /\btsx\s+(src\/[\w./-]+\.ts)\b/.exec(script);
    if (match?.[1]) entries.set(basename(match[1], '.ts'), join(pkg.dir, match[1]));
  }
  if (!entries.has('main')) throw new Error(`${pkg.name}: no script runs 'tsx src/main.ts'`);
  return new Map(
    [...entries].sort(([a], [b]) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b))),
  );
}

export const packageNameOf = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
};

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith('node:') || builtinModules.includes(packageNameOf(specifier));

/** The package `name` that Node resolves from `fromDir`, by the node_modules lookup. */
export function resolvePackage(name: string, fromDir: string): ResolvedPackage | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      const real = realpathSync(file);
      return { version: readJson<PackageJson>(real).version ?? '', dir: dirname(real) };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const owner = (file: string, packages: Map<string, WorkspacePackage>): WorkspacePackage | undefined => {
  let best: WorkspacePackage | undefined;
  for (const pkg of packages.values()) {
    if (file.startsWith(pkg.dir + sep) && (!best || pkg.dir.length > best.dir.length)) best = pkg;
  }
  return best;
};

export async function bundleService(options: BundleOptions): Promise<BundleResult> {
  const root = options.root ?? ROOT;
  const packages = workspacePackages(root);
  const service = packages.get(`@switchboard/${options.service}`);
  if (!service) throw new Error(`no workspace package @switchboard/${options.service}`);
  const outDir = resolve(options.outDir ?? join(service.dir, 'dist'));
  const entries = entryPoints(service);
  const closure = productionClosure(service.name, packages);

  const imports: { specifier: string; importer: string }[] = [];
  const thirdPartyExternal: Esbuild.Plugin = {
    name: 'third-party-external',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (packages.has(packageNameOf(args.path))) return undefined; // workspace code: bundled
        imports.push({ specifier: args.path, importer: args.importer });
        return { path: args.path, external: true };
      });
    },
  };

  const result = await esbuild.build({
    entryPoints: Object.fromEntries(entries),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    plugins: [thirdPartyExternal],
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });

  // Every third-party import must be a declared runtime dependency of the workspace package that
  // imports it, and that package must be in the service's production closure: otherwise
  // `pnpm deploy --prod` would not install it and the image would fail where the workspace worked.
  const problems: string[] = [];
  const externals = new Map<string, ResolvedPackage>();
  for (const { specifier, importer } of imports) {
    const name = packageNameOf(specifier);
    const pkg = owner(importer, packages);
    const where = relative(root, importer);
    if (!pkg) {
      problems.push(`${where} imports ${name}: only workspace packages may import third-party code`);
      continue;
    }
    if (!closure.has(pkg.name)) {
      problems.push(`${where} (${pkg.name}) is bundled but is not a runtime dependency of ${service.name}`);
    }
    if (!runtimeDependencies(pkg.manifest).includes(name)) {
      problems.push(`${where} imports ${name}, which is not in the dependencies of ${pkg.name}`);
    }
    const resolved = resolvePackage(name, dirname(importer));
    if (!resolved) {
      problems.push(`${where} imports ${name}, which does not resolve in the workspace`);
      continue;
    }
    const known = externals.get(name);
    if (known && known.version !== resolved.version) {
      problems.push(
        `${name} resolves to both ${known.version} and ${resolved.version}: one node_modules cannot hold both`,
      );
    }
    externals.set(name, resolved);
  }
  if (options.nodeModules) {
    for (const [name, { version }] of externals) {
      const file = join(options.nodeModules, name, 'package.json');
      const found = existsSync(file) ? readJson<PackageJson>(file).version : undefined;
      if (found !== version) {
        problems.push(`${name}@${version} is needed but ${options.nodeModules} has ${found ?? 'none'}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`cannot bundle ${service.name}:\n  ${[...new Set(problems)].join('\n  ')}`);
  }

  // The bundle is ESM whatever package.json ends up beside it.
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    { path: join(outDir, 'package.json'), contents: new Uint8Array(Buffer.from('{ "type": "module" }\n')) },
  ];
  let changed = false;
  for (const file of files) {
    if (existsSync(file.path) && readFileSync(file.path).equals(Buffer.from(file.contents))) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
    changed = true;
  }
  return {
    outDir,
    entries: [...entries.keys()],
    externals,
    sources: entrySources(result.metafile, root),
    changed,
  };
}

/** The sources in each entry's output, following the chunks it imports. */
function entrySources(metafile: Esbuild.Metafile, root: string): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const files = new Set<string>();
    const seen = new Set<string>();
    const visit = (path: string) => {
      const current = metafile.outputs[path];
      if (!current || seen.has(path)) return;
      seen.add(path);
      for (const input of Object.keys(current.inputs)) files.add(resolve(root, input));
      for (const imported of current.imports) if (!imported.external) visit(imported.path);
    };
    visit(output);
    sources.set(basename(output, '.js'), [...files].sort());
  }
  return sources;
}

function parseArgs(argv: string[]): BundleOptions {
  const [service, ...rest] = argv;
  if (!service || service.startsWith('-')) {
    throw new Error('usage: bundle.ts <service> [--out <dir>] [--node-modules <dir>]');
  }
  const options: BundleOptions = { service };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (!value) throw new Error(`${flag} needs a value`);
    if (flag === '--out') options.outDir = value;
    else if (flag === '--node-modules') options.nodeModules = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  try {
    const started = performance.now();
    const result = await bundleService(parseArgs(process.argv.slice(2)));
    const ms = Math.round(performance.now() - started);
    const what = result.changed ? 'bundled' : 'unchanged';
    console.log(
      `${what} ${result.entries.join(', ')} → ${relative(process.cwd(), result.outDir)} (${ms} ms)`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
