import type postgres from 'postgres';

/**
 * The read-model SQL (DDL, projections) names its tables `rm.<table>`. A rebuild runs that same SQL
 * against a shadow schema by rewriting the qualifier in each statement's text, so there is one
 * projection and one schema definition, not a copy per target.
 */
export const liveSchema = 'rm';

const schemaName = /^[a-z_][a-z0-9_]*$/;
// `rm.` as a whole identifier: not the end of `form.` or `"rm".`, nor a column `x.rm.`
const qualifier = /(?<![\w$."])rm(?=\.)/g;
const createSchema = /(CREATE SCHEMA IF NOT EXISTS\s+)rm\b/gi;
// forms the rewrite would miss: better to refuse than to write into the live tables
const missed = /(?<![\w$])"rm"\s*\.|(?<![\w$."])rm\s+\./;

export class UnretargetableSqlError extends Error {
  override name = 'UnretargetableSqlError';
  constructor(readonly sql: string) {
    super(`statement names schema rm in a form a rebuild cannot retarget: ${sql.slice(0, 200)}`);
  }
}

function checkSchema(schema: string): void {
  if (!schemaName.test(schema)) throw new Error(`not a plain schema name: "${schema}"`);
}

/** The statement's text with schema `rm` replaced by `schema`. */
export function retargetSql(text: string, schema: string): string {
  checkSchema(schema);
  if (missed.test(text)) throw new UnretargetableSqlError(text);
  return text.replace(qualifier, schema).replace(createSchema, `$1${schema}`);
}

type Strings = TemplateStringsArray;
const isTemplate = (value: unknown): value is Strings =>
  Array.isArray(value) && Array.isArray((value as unknown as Strings).raw);

// postgres.js keys caches on the template's strings array; one rewritten array per call site keeps them bounded
const rewritten = new Map<string, WeakMap<Strings, Strings>>();

function retargetTemplate(strings: Strings, schema: string): Strings {
  let bySite = rewritten.get(schema);
  if (!bySite) {
    bySite = new WeakMap();
    rewritten.set(schema, bySite);
  }
  let done = bySite.get(strings);
  if (!done) {
    done = Object.assign(
      strings.map((s) => retargetSql(s, schema)),
      { raw: strings.raw.map((s) => retargetSql(s, schema)) },
    ) as unknown as Strings;
    bySite.set(strings, done);
  }
  return done;
}

/**
 * `sql` (a transaction, usually) whose tagged-template and `unsafe` statements address `schema` wherever
 * they say `rm`. Everything else (helpers such as `json`, parameters) passes through unchanged.
 */
export function inSchema<T extends postgres.ISql>(sql: T, schema: string): T {
  checkSchema(schema);
  if (schema === liveSchema) return sql;
  return new Proxy(sql, {
    apply(target, self, args: unknown[]) {
      const [first, ...rest] = args;
      if (isTemplate(first)) return Reflect.apply(target, self, [retargetTemplate(first, schema), ...rest]);
      return Reflect.apply(target, self, args);
    },
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, ...rest: unknown[]) =>
          (target.unsafe as (...a: unknown[]) => unknown)(retargetSql(query, schema), ...rest);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
