/**
 * Splits a text into parts of at most `maxLength` UTF-16 units (the unit providers count in), cutting
 * at the last line break or space inside the limit when there is one, and never inside a surrogate pair.
 * An empty text gives one empty part, so the caller still sends one message.
 */
export function splitText(text: string, maxLength: number): string[] {
  if (maxLength < 2) throw new RangeError('maxLength must be at least 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    let cut = Math.max(rest.lastIndexOf('\n', maxLength), rest.lastIndexOf(' ', maxLength));
    if (cut <= 0) cut = maxLength;
    if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  parts.push(rest);
  return parts;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
