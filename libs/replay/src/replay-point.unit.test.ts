import { describe, expect, it } from 'vitest';
import { InvalidReplayPointError, parseReplayPoint } from './replay-point.js';

describe('parseReplayPoint', () => {
  it('reads digits as a revision and anything else as an ISO 8601 time', () => {
    expect(parseReplayPoint('0')).toEqual({ revision: 0n });
    expect(parseReplayPoint('42')).toEqual({ revision: 42n });
    expect(parseReplayPoint('2026-01-02T03:04:05.678Z')).toEqual({
      time: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(parseReplayPoint('2026-01-02T03:04:05+02:00')).toEqual({ time: new Date('2026-01-02T01:04:05Z') });
  });

  it('refuses what is neither, including times that fit the pattern but do not exist', () => {
    for (const bad of ['yesterday', '-1', '1.5', '2026-01-02', '2026-01-02T03:04:05', '2026-13-45T99:99Z']) {
      expect(() => parseReplayPoint(bad), bad).toThrow(InvalidReplayPointError);
    }
  });
});
