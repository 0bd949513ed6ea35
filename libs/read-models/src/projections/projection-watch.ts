import { comparePositions, type Position } from '@switchboard/event-store';
import type postgres from 'postgres';
import { readCheckpoint } from './checkpoints.js';

const POLL_MS = 50;

/**
 * Whether the read models have applied an event yet, for consumers that get an event from the relay and
 * then read what the projector made of earlier ones (a connector its endpoints, the broadcaster a
 * broadcast's subscribers): reading before the projector got there could miss a change made just
 * before. The last checkpoint seen is remembered, so a consumer keeping up reads it rarely.
 */
export class ProjectionWatch {
  #seen: Position = { commit: 0n, prepare: 0n };

  constructor(
    private readonly sql: postgres.Sql,
    private readonly projection = 'core',
  ) {}

  async reached(position: Position, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (comparePositions(this.#seen, position) >= 0) return true;
      const current = await readCheckpoint(this.sql, this.projection);
      if (current && comparePositions(current, this.#seen) > 0) this.#seen = current;
      if (comparePositions(this.#seen, position) >= 0) return true;
      if (Date.now() >= deadline || signal?.aborted) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
