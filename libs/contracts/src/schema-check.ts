import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

/** One reason a value does not fit its schema: where (a JSON pointer) and why. */
export interface SchemaIssue {
  path: string;
  message: string;
}

// Compiling is the expensive part; each schema object is compiled once and reused.
const compiled = new WeakMap<TSchema, Validator>();

function compiledFor(schema: TSchema): Validator {
  let check = compiled.get(schema);
  if (!check) {
    check = Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

export function fitsSchema(schema: TSchema, value: unknown): boolean {
  return compiledFor(schema).Check(value);
}

/**
 * The issues of a value against a schema; empty when it fits. Summary lines (`anyOf` failed, `false`
 * schema) and duplicates are dropped so that what remains names the fields to fix.
 */
export function schemaIssues(schema: TSchema, value: unknown): SchemaIssue[] {
  const check = compiledFor(schema);
  if (check.Check(value)) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of check.Errors(value)) {
    if (error.keyword === 'anyOf' || error.keyword === 'boolean') continue;
    const issue = { path: error.instancePath, message: error.message };
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues.length > 0 ? issues : [{ path: '', message: 'does not match the schema' }];
}
