/** A stream's category: its name before the first '-' (the whole name when there is none). */
export function streamCategory(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash === -1 ? streamName : streamName.slice(0, dash);
}

export function assertStreamName(streamName: string): void {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new TypeError('a stream name is a non-empty string');
  }
  if (streamName.startsWith('$'))
    throw new TypeError(`stream names starting with '$' are reserved: ${streamName}`);
}
