import { badRequest } from './errors.js';

/**
 * Pure parsing of the search querystrings the seed defines: list filters, date bounds, sort and
 * paging. Every malformed value is a 400 naming the parameter; nothing is silently ignored.
 */

const MAX_LIST_ITEMS = 100;

/**
 * A `[string]` filter: repeated parameters (`?status=a&status=b`) and comma-separated values
 * (`?status=a,b`) both work, and mix. Undefined when the parameter is absent.
 */
export function parseList(
  name: string,
  values: readonly string[] | undefined,
  allowed?: readonly string[],
): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values.flatMap((value) => value.split(','));
  if (items.length > MAX_LIST_ITEMS) throw badRequest(`${name}: at most ${MAX_LIST_ITEMS} values`);
  for (const item of items) {
    if (item.length === 0) throw badRequest(`${name}: empty value`);
    if (allowed && !allowed.includes(item))
      throw badRequest(`${name}: ${item} is not one of ${allowed.join(', ')}`);
  }
  return [...new Set(items)];
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time; seconds and the zone are optional (no zone: UTC). A space before the offset is
// a `+` that was not percent-encoded in the querystring (`+01:00` arrives as ` 01:00`).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A time of day appended to a bare date: `T00:00:00Z` for a `_from` bound, `T23:59:59Z` for `_to`. */
export type Bound = 'from' | 'to';

/**
 * A `date-time` filter bound as the seed defines it. A bare `YYYY-MM-DD` gets `T00:00:00Z` (from) or
 * `T23:59:59Z` (to) appended.
 */
export function parseDateBound(name: string, value: string, bound: Bound): Date {
  const dateOnly = DATE_ONLY.exec(value);
  const text = dateOnly ? `${value}T${bound === 'from' ? '00:00:00' : '23:59:59'}Z` : value;
  const m = DATE_TIME.exec(text);
  if (!m) throw badRequest(`${name}: ${value} is not a date (YYYY-MM-DD) or date-time (RFC 3339)`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? 0);
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw badRequest(`${name}: ${value} is not a valid date-time`);
  }
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs);
}

/** Half-open `[from, before)` bounds of one date field. */
export interface DateRange {
  from?: Date;
  before?: Date;
}

/**
 * Both bounds of a date field. `_to` is inclusive at the precision given: times are shown to the
 * second, so `_to=…T10:30:00Z` includes a record shown as `10:30:00+00:00` (stored with microseconds).
 */
export function parseDateRange(field: string, from?: string, to?: string): DateRange {
  const range: DateRange = {};
  if (from !== undefined) range.from = parseDateBound(`${field}_from`, from, 'from');
  if (to !== undefined) {
    const end = parseDateBound(`${field}_to`, to, 'to');
    const wholeSecond = end.getTime() % 1000 === 0 && !/\.\d*[1-9]/.test(to);
    range.before = new Date(end.getTime() + (wholeSecond ? 1000 : 1));
  }
  return range;
}

export const SORT_KEYS = ['id', 'created', 'updated'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface SortTerm {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_SORT = '-created,-id';

/**
 * `sort`: keys separated by commas (or repeated parameters), `-` prefix for descending. `id` is
 * appended when absent (in the direction of the first key) so that pages never overlap or skip.
 */
export function parseSort(values: readonly string[] | undefined): SortTerm[] {
  const items = parseList('sort', values ?? [DEFAULT_SORT]) ?? [];
  const terms: SortTerm[] = [];
  for (const item of items) {
    const descending = item.startsWith('-');
    const key = descending ? item.slice(1) : item;
    if (!(SORT_KEYS as readonly string[]).includes(key))
      throw badRequest(`sort: ${key} is not one of ${SORT_KEYS.join(', ')}`);
    if (terms.some((t) => t.key === key)) throw badRequest(`sort: ${key} is given twice`);
    terms.push({ key: key as SortKey, descending });
  }
  if (!terms.some((t) => t.key === 'id')) terms.push({ key: 'id', descending: terms[0]?.descending ?? true });
  return terms;
}

export interface Paging {
  total: number;
  more: boolean;
  next: number | null;
}

/** The seed's paging object for a page of `count` results starting at `offset` out of `total`. */
export function paging(total: number, offset: number, count: number): Paging {
  const more = offset + count < total;
  return { total, more, next: more ? offset + count : null };
}

/** The options every search of the seed shares, as the querystring schema delivers them. */
export interface SearchOptions {
  created_from?: string;
  created_to?: string;
  updated_from?: string;
  updated_to?: string;
  sort?: string[];
  offset: number;
  limit: number;
}

export function parseSearchOptions(query: SearchOptions) {
  return {
    created: parseDateRange('created', query.created_from, query.created_to),
    updated: parseDateRange('updated', query.updated_from, query.updated_to),
    sort: parseSort(query.sort),
    offset: query.offset,
    limit: query.limit,
  };
}
