import type { Position } from '@switchboard/event-store';
import { InvalidArgumentError } from 'commander';

/** A `$all` position as the CLI prints it and takes it back: `<commit>/<prepare>`. */
export const formatPosition = (p: Position | null): string => (p ? `${p.commit}/${p.prepare}` : '-');

/** `start`, `end`, or `<commit>/<prepare>` as printed by `events tail`, `trace` and `projections status`. */
export function parseFromPosition(value: string): 'start' | 'end' | Position {
  if (value === 'start' || value === 'end') return value;
  const match = /^(\d{1,20})\/(\d{1,19})$/.exec(value);
  const position = match ? { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) } : null;
  if (!position || position.commit >= 2n ** 64n || position.prepare >= 2n ** 63n) {
    throw new InvalidArgumentError(
      `bad position "${value}": expected start, end or <commit>/<prepare> (e.g. 742/18, as printed by ` +
        '`events tail`, `trace` and `projections status`)',
    );
  }
  return position;
}
