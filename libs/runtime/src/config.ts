import type { Static, TObject } from 'typebox';
import { Value } from 'typebox/value';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a service's configuration from the environment, validated against its schema at start, so a
 * missing or malformed variable stops the service with an error naming that variable.
 * Property names are the variable names; numbers and booleans are converted from their text.
 */
export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(schema, raw);
  const converted = Value.Convert(schema, withDefaults);
  const errors = Value.Errors(schema, converted);
  if (errors.length > 0) {
    const problems = errors.map((e) => {
      const missing =
        e.keyword === 'required'
          ? (e.params as { requiredProperties?: string[] }).requiredProperties
          : undefined;
      if (missing?.length) return `${missing.join(', ')}: is required`;
      const name = e.instancePath.replace(/^\//, '') || '(root)';
      return `${name}: ${e.message}`;
    });
    throw new ConfigError(problems);
  }
  return converted as Static<S>;
}
