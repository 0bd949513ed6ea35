import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ProfileOptions {
  /** Folder the V8 CPU profiles go to (written when the process exits after SIGTERM). */
  dir: string;
}

/** A TypeScript program run as its own Node process through tsx, its output kept for diagnostics. */
export class NodeProcess {
  readonly output: string[] = [];
  readonly child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    options: { profile?: ProfileOptions; args?: string[]; echo?: boolean } = {},
  ) {
    // One folder per process: its main thread and tsx's loader thread each write a profile.
    const profileDir = options.profile ? join(options.profile.dir, name) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    this.child = spawn(process.execPath, [...profile, '--import', 'tsx', script, ...(options.args ?? [])], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
      this.output.push(text);
      if (this.output.length > 400) this.output.shift();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error(`${this.name} has no pid (it failed to spawn)`);
    return pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logs(): string {
    return this.output.join('');
  }

  /** Polls `url` until it answers 2xx; fails early when the process dies. */
  async waitReady(url: string, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.logs()}`);
      try {
        const res = await fetch(url);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logs()}`);
  }

  /** Waits until the process has printed `text` (for programs without a health endpoint). */
  async waitForOutput(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.logs().includes(text)) return;
      if (this.exited) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.name} did not print "${text}" in ${timeoutMs} ms:\n${this.logs()}`);
  }

  /** SIGTERM (the service drains and exits, writing its CPU profile), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
