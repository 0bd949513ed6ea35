import type postgres from 'postgres';

/**
 * A column of values as one text parameter that PostgreSQL splits (`string_to_array`), for the
 * dispatcher's statements of many rows. As an array parameter, the postgres client quotes every
 * element and escapes it with two regular expressions, in JavaScript, for every column of every row;
 * a join is native. Only for values that cannot hold the two separators: ids, numbers, timestamps,
 * statuses, and JSON text (JSON.stringify escapes every control character). Free text stays an array.
 */
const SEPARATOR = '\x1e'; // chr(30) in the statement
const NULL = '\x1f'; // chr(31): the element that stands for NULL

export type PackedValue = string | number | null | undefined;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the separators are control characters, chosen so.
const SEPARATORS = /[\x1e\x1f]/;

/** Throws when a value is empty or holds a separator: the rows would no longer line up. */
export function packColumn(values: readonly PackedValue[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = NULL;
    else if (typeof v === 'number') parts[i] = String(v);
    // An empty string alone would be read back as no element at all.
    else if (v === '' || SEPARATORS.test(v))
      throw new Error('a packed column value is empty or holds a separator');
    else parts[i] = v;
  }
  return parts.join(SEPARATOR);
}

/** The column as a text[] expression; cast it to the column's array type (`::uuid[]`). */
export const packed = (sql: postgres.Sql | postgres.TransactionSql, values: readonly PackedValue[]) =>
  sql`string_to_array(${packColumn(values)}::text, chr(30), chr(31))`;
