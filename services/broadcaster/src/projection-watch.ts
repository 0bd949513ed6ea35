import { comparePositions, type Position } from '@switchboard/event-store';
import { readCheckpoint } from '@switchboard/read-models';
import type postgres from 'postgres';

const POLL_MS = 50;

/**
 * Whether the read models have applied an event yet: a broadcast's recipients are read from them, and
 * a grant made just before the request must be there. The last checkpoint seen is remembered.
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
