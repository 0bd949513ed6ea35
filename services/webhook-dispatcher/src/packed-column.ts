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

/** Throws when a value is empty or holds a separator: the rows would no longer line up. */
export function packColumn(values: readonly PackedValue[]): string {
  let text = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const s = v === null || v === undefined ? NULL : typeof v === 'number' ? String(v) : v;
    // An empty string alone would be read back as no element at all.
    if (s !== NULL && (s === '' || s.includes(SEPARATOR) || s.includes(NULL)))
      throw new Error('a packed column value is empty or holds a separator');
    text = i === 0 ? s : text + SEPARATOR + s;
  }
  return text;
}

/** The column as a text[] expression; cast it to the column's array type (`::uuid[]`). */
export const packed = (sql: postgres.Sql | postgres.TransactionSql, values: readonly PackedValue[]) =>
  sql`string_to_array(${packColumn(values)}::text, chr(30), chr(31))`;
