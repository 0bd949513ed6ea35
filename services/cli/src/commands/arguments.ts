import { InvalidArgumentError } from 'commander';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Option and argument parsers shared by the commands; each throws commander's usage error. */
export const parseUuid = (value: string): string => {
  if (!UUID.test(value)) throw new InvalidArgumentError(`"${value}" is not a UUID`);
  return value.toLowerCase();
};

export const parsePositive = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
};

export const parseRevision = (value: string): bigint => {
  if (!/^\d{1,18}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a revision (0, 1, 2…)`);
  return BigInt(value);
};

export const parseStreamName = (value: string): string => {
  if (!/^[^\s$][^\s]*$/.test(value) || value.length > 500) {
    throw new InvalidArgumentError(
      `"${value}" is not a stream name (e.g. conversation-<id>; names starting with $ are reserved)`,
    );
  }
  return value;
};

/** For repeatable options: `--type A --type B` → ['A', 'B']. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
