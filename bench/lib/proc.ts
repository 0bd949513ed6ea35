import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type postgres from 'postgres';

/** Clock ticks per second of /proc's CPU times. */
export const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Memory {
  /** Resident set now, MB (10^6 bytes). */
  rss: number;
  /** Peak resident set since the process started (VmHWM), MB. */
  peak: number;
}

export function memoryOf(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: (kb('VmRSS') * 1024) / 1e6, peak: (kb('VmHWM') * 1024) / 1e6 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state = field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) so far. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / clockTicks, total: total / clockTicks };
}

/**
 * Waits until the machine is quiet: under `maxBusy` of its cores busy over a quarter of a second (what
 * the set-up set off, such as projecting or vacuuming what it wrote, is done), or `timeoutMs` passed.
 * Returns the share of the cores busy in the last window.
 */
export async function settle(maxBusy = 0.25, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const from = machineCpuSeconds();
    await new Promise((r) => setTimeout(r, 250));
    const to = machineCpuSeconds();
    const busy = (to.busy - from.busy) / Math.max(1e-9, to.total - from.total);
    if (busy < maxBusy || Date.now() > deadline) return busy;
  }
}

/** Whether `pid` is PostgreSQL's main process (its parent is not a postgres process). */
export function isPostmaster(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return readFileSync(`/proc/${parent}/comm`, 'utf8').trim() !== 'postgres';
  } catch {
    return false;
  }
}

/** Pids of processes whose command name is `comm` (e.g. nats-server). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU used by groups of processes between `start()` and `stop()`, in cores (CPU seconds per wall
 * second). The groups' pids are taken at start; a process that ends in between counts nothing.
 */
export class CpuMeter {
  #pids: Record<string, number[]> = {};
  #start = new Map<number, number>();
  #machine = machineCpuSeconds();
  #startedAt = performance.now();

  constructor(private readonly groups: () => Promise<Record<string, number[]>>) {}

  async start(): Promise<void> {
    this.#pids = await this.groups();
    this.#start = new Map(
      Object.values(this.#pids)
        .flat()
        .map((pid) => [pid, cpuSecondsOf(pid)]),
    );
    this.#machine = machineCpuSeconds();
    this.#startedAt = performance.now();
  }

  /** Cores used by each group, and by the whole machine, since start(). */
  stop(): { groups: Record<string, number>; machine: number; cores: number; wallSeconds: number } {
    const wall = (performance.now() - this.#startedAt) / 1000;
    const machine = machineCpuSeconds();
    const groups: Record<string, number> = {};
    for (const [group, pids] of Object.entries(this.#pids)) {
      const used = pids.reduce((sum, pid) => {
        const end = cpuSecondsOf(pid);
        return sum + (end > 0 ? end - (this.#start.get(pid) ?? end) : 0);
      }, 0);
      groups[group] = used / wall;
    }
    return {
      groups,
      machine: (machine.busy - this.#machine.busy) / wall,
      cores: (machine.total - this.#machine.total) / wall,
      wallSeconds: wall,
    };
  }
}

/**
 * PostgreSQL processes that work for this database: its sessions, and the server's own processes (WAL
 * writer, checkpointer…), which serve every database; other databases' sessions (other work on the
 * machine) are left out.
 */
export async function postgresPids(sql: postgres.Sql): Promise<number[]> {
  const backends = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL`;
  const postmaster = pidsNamed('postgres').filter((pid) => !backends.some((b) => b.pid === pid));
  return [...backends.map((b) => b.pid), ...postmaster.filter((pid) => isPostmaster(pid))];
}
