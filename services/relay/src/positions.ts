import { comparePositions, type Position } from '@switchboard/event-store';

/** The later of two optional positions in `$all` order. */
export function laterOf(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a) return b;
  if (!b) return a;
  return comparePositions(a, b) >= 0 ? a : b;
}

export const positionText = (p: Position | undefined | null): string =>
  p ? `${p.commit}/${p.prepare}` : 'none';
