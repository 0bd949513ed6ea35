import type { Summary } from './stats.js';

/** One autocannon run: `connections` closed loops on `paths` (and `bodies`) in round robin. */
export interface RunSpec {
  label: string;
  url: string;
  method: 'GET' | 'POST';
  paths: string[];
  bodies?: string[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** Stops earlier once this many requests were sent. */
  maxRequests: number;
  /** Requests per second over all connections (an open rate rather than closed loops), if set. */
  overallRate?: number;
  /** Latencies of the first responses to keep one by one (e.g. a cold cache). */
  keepFirst?: number;
  /**
   * Summarise latencies per target (request i goes to target i mod targets, targets being the bodies
   * or else the paths). Needs one connection, so that responses come back in request order.
   */
  perTarget?: boolean;
}

/** Runs that go at the same time. */
export interface LoadSpec {
  runs: RunSpec[];
}

export interface LoadResult {
  label: string;
  requests: number;
  seconds: number;
  /** 2xx responses per second. */
  rps: number;
  /** Milliseconds, every response (2xx or not). */
  latency: Summary;
  first: number[];
  errors: number;
  timeouts: number;
  non2xx: number;
  statuses: Record<string, number>;
  /** With `perTarget`: latencies by target, and each target's first `keepFirst` ones. */
  targets?: { latency: Summary; first: number[] }[];
  /** CPU seconds the load generator used, all its runs together. */
  loadCpuSeconds: number;
}
