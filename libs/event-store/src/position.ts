import type { Position } from './types.js';

/** Before every event: the exclusive lower bound of a read from the start. */
export const beforeAll: Position = { commit: 0n, prepare: 0n };
/** After every event that can exist (xid8 and bigint maxima): the exclusive upper bound from the end. */
export const afterAll: Position = { commit: 2n ** 64n - 1n, prepare: 2n ** 63n - 1n };

/** $all order: by transaction id, then by global position within it. */
export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** A position as decimal strings, for JSON (checkpoints, command replies, relayed events). */
export function positionToJson(p: Position): { commit: string; prepare: string } {
  return { commit: p.commit.toString(), prepare: p.prepare.toString() };
}

export function positionFromJson(p: { commit: string | number; prepare: string | number }): Position {
  const commit = BigInt(p.commit);
  const prepare = BigInt(p.prepare);
  if (commit < 0n || prepare < 0n) throw new RangeError(`invalid position ${p.commit}/${p.prepare}`);
  return { commit, prepare };
}
