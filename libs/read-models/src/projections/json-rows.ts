import type postgres from 'postgres';

/**
 * A run's rows as one jsonb parameter, read back with `jsonb_to_recordset`: one statement of fixed text
 * (prepared once) whatever the number of rows, instead of a statement or a VALUES list per event.
 */
export function jsonRows(sql: postgres.ISql, rows: readonly object[]): postgres.Parameter {
  return sql.json(rows as unknown as postgres.JSONValue);
}
