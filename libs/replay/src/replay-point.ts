import type { ReplayPoint } from './replay-stream.js';

/**
 * What an `at` may be: a revision (0 = first event) or an ISO 8601 time with its offset. The admin API
 * validates its query string with this pattern and the CLI its option, so both accept the same points.
 */
export const replayPointPattern = '^(\\d{1,18}|\\d{4}-\\d{2}-\\d{2}T[\\d:.]+(Z|[+-]\\d{2}:\\d{2}))$';
const pattern = new RegExp(replayPointPattern);

export class InvalidReplayPointError extends Error {
  override name = 'InvalidReplayPointError';
  constructor(readonly given: string) {
    super(`"${given}" is not a point to replay to: give a revision (0 = first event) or an ISO 8601 time`);
  }
}

/** Parses an `at`: digits are a revision, anything else must be an ISO 8601 time. */
export function parseReplayPoint(at: string): ReplayPoint {
  if (!pattern.test(at)) throw new InvalidReplayPointError(at);
  if (/^\d+$/.test(at)) return { revision: BigInt(at) };
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) throw new InvalidReplayPointError(at);
  return { time };
}
