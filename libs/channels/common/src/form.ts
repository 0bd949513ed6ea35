/**
 * `application/x-www-form-urlencoded` bodies (Twilio sends and receives them). Keys repeated in a body
 * keep their last value, which is what providers that post forms to us never do anyway.
 */

export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function parseForm(body: Buffer | string): Record<string, string> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
  return fields;
}
