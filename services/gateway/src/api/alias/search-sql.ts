import type postgres from 'postgres';
import { AliasError } from './errors.js';
import type { DateRange, SortKey, SortTerm } from './search-query.js';

export type Fragment = postgres.PendingQuery<postgres.Row[]>;
type Tx = postgres.TransactionSql | postgres.Sql;

/** Postgres' code for a statement cancelled, here by `statement_timeout`. */
const QUERY_CANCELED = '57014';

/**
 * Runs a request's reads in one transaction bounded by the request's `timeout`: each statement gets
 * what is left of it as its `statement_timeout` (call `renew` before every statement after the first),
 * so the database stops working on it too, and the caller gets a 504 in the dialect's format.
 */
export async function withinTimeout<T>(
  sql: postgres.Sql,
  seconds: number,
  work: (tx: postgres.TransactionSql, renew: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  const timedOut = () =>
    new AliasError(504, 'timeout', `the request did not complete within its timeout of ${seconds} s`);
  try {
    return (await sql.begin(async (tx) => {
      const renew = async () => {
        const left = deadline - Date.now();
        if (left <= 0) throw timedOut();
        await tx`SELECT set_config('statement_timeout', ${String(left)}, true)`;
      };
      await renew();
      return work(tx, renew);
    })) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === QUERY_CANCELED) throw timedOut();
    throw error;
  }
}

export const and = (sql: Tx, conditions: Fragment[]): Fragment =>
  conditions.reduce((all, condition) => sql`${all} AND ${condition}`, sql`TRUE`);

/** `column = ANY(values)`, or nothing when the filter is absent. */
export const anyOf = (sql: Tx, column: string, values: string[] | undefined): Fragment[] =>
  values ? [sql`${sql(column)} = ANY(${sql.array(values)}::text[])`] : [];

/** The array column shares at least one of the values. */
export const overlaps = (sql: Tx, column: string, values: string[] | undefined): Fragment[] =>
  values ? [sql`${sql(column)} && ${sql.array(values)}::text[]`] : [];

export const within = (sql: Tx, column: string, range: DateRange): Fragment[] => [
  ...(range.from ? [sql`${sql(column)} >= ${range.from}`] : []),
  ...(range.before ? [sql`${sql(column)} < ${range.before}`] : []),
];

export interface SearchPlan {
  /** Table (schema-qualified) searched. */
  table: string;
  where: Fragment[];
  sortColumns: Record<SortKey, string>;
  sort: SortTerm[];
  offset: number;
  limit: number;
}

export interface SearchResult<Row> {
  total: number;
  rows: Row[];
}

/**
 * One page of a search and the total count in one statement, so that one `statement_timeout`
 * bounds the whole request. An offset past the end still returns the total. Rows are the table's
 * own (snake_case) columns.
 */
export async function searchPage<Row extends object>(tx: Tx, plan: SearchPlan): Promise<SearchResult<Row>> {
  const where = and(tx, plan.where);
  // Ids sort by their bytes whatever the database's collation: the same order on every installation.
  const order = (alias: string) =>
    plan.sort
      .map(
        (term) =>
          tx`${tx(`${alias}.${plan.sortColumns[term.key]}`)} ${term.key === 'id' ? tx`COLLATE "C"` : tx``} ${term.descending ? tx`DESC` : tx`ASC`}`,
      )
      .reduce((all, term) => tx`${all}, ${term}`);
  const rows = await tx<({ total: number; present: boolean } & Row)[]>`
    SELECT c.total, p.*
    FROM (SELECT count(*)::int AS total FROM ${tx(plan.table)} t WHERE ${where}) c
    LEFT JOIN LATERAL (
      SELECT TRUE AS present, t.* FROM ${tx(plan.table)} t WHERE ${where}
      ORDER BY ${order('t')} LIMIT ${plan.limit} OFFSET ${plan.offset}
    ) p ON TRUE
    ORDER BY ${order('p')}`;
  const total = rows[0]?.total ?? 0;
  return {
    total,
    rows: rows
      .filter((row) => row.present)
      .map(({ total: _total, present: _present, ...row }) => row as unknown as Row),
  };
}
