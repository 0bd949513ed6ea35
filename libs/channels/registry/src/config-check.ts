import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Value } from 'typebox/value';
import { adapterFor, type KnownChannel, knownChannels } from './adapters.js';

/**
 * Checks the `channels` of a sync request against each adapter's configuration schema, the one
 * source of truth for a channel's fields. The fields are the Botpress Messaging server's, so a
 * Botpress client's configuration is accepted as it is: `enabled` (absent: true) and `version` are
 * the channel's own switches, and fields no adapter reads (Botpress's `useRTM`, Messenger's `pageId`,
 * Vonage's `applicationId`/`privateKey`, …) are dropped, as the Botpress server strips what it does
 * not know. What is kept is exactly what the adapter's schema describes.
 */

export interface CheckedChannel {
  enabled: boolean;
  /** The configuration the adapter reads: its schema's fields only. Contains secrets: seal it. */
  config: Record<string, unknown>;
}

export type ChannelConfigsCheck =
  | { ok: true; channels: Partial<Record<KnownChannel, CheckedChannel>> }
  /** Each problem names its field (`channels.twilio.accountSID is required`); none of it echoes a value. */
  | { ok: false; issues: string[] };

export function checkChannelConfigs(channels: Readonly<Record<string, unknown>>): ChannelConfigsCheck {
  const checked: Partial<Record<KnownChannel, CheckedChannel>> = {};
  const issues: string[] = [];
  for (const [name, value] of Object.entries(channels)) {
    const result = checkChannelConfig(name, value);
    if (result.ok) checked[result.channel] = { enabled: result.enabled, config: result.config };
    else issues.push(...result.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, channels: checked };
}

export type ChannelConfigCheck =
  | ({ ok: true; channel: KnownChannel } & CheckedChannel)
  | { ok: false; issues: string[] };

export function checkChannelConfig(name: string, value: unknown): ChannelConfigCheck {
  const at = `channels.${name}`;
  const adapter = adapterFor(name);
  if (!adapter) {
    return { ok: false, issues: [`${at} is not a channel Switchboard knows (${knownChannels.join(', ')})`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [`${at} must be an object`] };
  }
  const { enabled, version, ...fields } = value as Record<string, unknown>;
  const issues: string[] = [];
  if (enabled !== undefined && typeof enabled !== 'boolean') issues.push(`${at}.enabled must be a boolean`);
  if (version !== undefined && typeof version !== 'string') issues.push(`${at}.version must be a string`);
  const config = Value.Clean(adapter.configSchema, structuredClone(fields)) as Record<string, unknown>;
  issues.push(...describeErrors(at, adapter.configSchema, config));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, channel: name as KnownChannel, enabled: enabled !== false, config };
}

/** The fields each channel's configuration takes, besides `enabled` and `version`. */
export function channelConfigFields(name: KnownChannel): { required: string[]; optional: string[] } {
  const schema = adapterFor(name)?.configSchema;
  const all = Object.keys(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  return { required: all.filter((f) => required.has(f)), optional: all.filter((f) => !required.has(f)) };
}

// ---- error messages ----

const validators = new WeakMap<TSchema, Validator>();

function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

interface ErrorLike {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

const article: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** One sentence per problem, naming the field by its dotted path; never the value (it may be a secret). */
function describeErrors(at: string, schema: TSchema, value: unknown): string[] {
  const validator = validatorFor(schema);
  if (validator.Check(value)) return [];
  const messages: string[] = [];
  const allowed = new Map<string, unknown[]>();
  for (const error of validator.Errors(value) as Iterable<ErrorLike>) {
    const field = fieldName(at, error.instancePath);
    const p = error.params;
    switch (error.keyword) {
      case 'required':
        for (const name of (p.requiredProperties as string[] | undefined) ?? [])
          messages.push(`${field}.${name} is required`);
        break;
      case 'type':
        messages.push(`${field} must be ${article[String(p.type)] ?? String(p.type)}`);
        break;
      case 'const':
        allowed.set(field, [...(allowed.get(field) ?? []), p.allowedValue]);
        break;
      case 'minLength':
        messages.push(
          p.limit === 1 ? `${field} must not be empty` : `${field} must be at least ${p.limit} characters`,
        );
        break;
      case 'maxLength':
        messages.push(`${field} must be at most ${p.limit} characters`);
        break;
      case 'pattern':
        messages.push(`${field} is not in the expected format${hint(schema, error.instancePath)}`);
        break;
      case 'minimum':
      case 'maximum':
        messages.push(`${field} must be ${p.comparison} ${p.limit}`);
        break;
      case 'anyOf':
      case 'boolean':
        break;
      default:
        messages.push(`${field} is not valid`);
    }
  }
  for (const [field, values] of allowed) {
    messages.push(`${field} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  const unique = [...new Set(messages)];
  return unique.length > 0 ? unique : [`${at} is not valid`];
}

/** `/jwks/keys/0/kid` under `channels.teams` → `channels.teams.jwks.keys[0].kid`. */
function fieldName(at: string, pointer: string): string {
  let name = at;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    name += /^\d+$/.test(token) ? `[${token}]` : `.${token}`;
  }
  return name;
}

/** The field's own description, when its schema has one: it says what the format is. */
function hint(schema: TSchema, pointer: string): string {
  let node: unknown = schema;
  for (const token of pointer.split('/').slice(1)) {
    const props = (node as { properties?: Record<string, unknown> }).properties;
    node = props?.[token];
    if (node === undefined) return '';
  }
  const description = (node as { description?: unknown }).description;
  return typeof description === 'string' ? ` (${description})` : '';
}
