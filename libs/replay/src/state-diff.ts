/** One value that an event changed: its path in the state (`status`, `endpoints`, `a.b`), before and after. */
export interface StateChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed between two states: objects are compared key by key (recursively), anything else (arrays,
 * scalars) as a whole; a key that appears or disappears is a change from or to `undefined`.
 */
export function diffStates(before: unknown, after: unknown, path = ''): StateChange[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffStates(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return same(before, after) ? [] : [{ path: path || '(state)', before, after }];
}
