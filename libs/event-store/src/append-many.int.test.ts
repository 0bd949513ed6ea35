import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateEventIdError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
import { openTestStore, type TestStore } from './test-store.js';
import type { StreamAppend } from './types.js';

// A broadcast's fan-out creates hundreds of streams per transaction (services/broadcaster): one
// appendToStreams call, all or nothing, whatever the stream a failure is on.

describe('appending to many streams at once', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ max: 4 });
  });
  afterAll(async () => {
    await t.close();
  });

  const batch = (count: number, prefix = randomUUID()): StreamAppend[] =>
    Array.from({ length: count }, (_, i) => ({
      stream: `recipient-${prefix}-${i}`,
      events: [{ type: 'RecipientDeliveryStarted', data: { i } }],
      expectedState: 'no_stream' as const,
    }));

  it('creates 500 streams in one transaction, each at revision 0, in the order given', async () => {
    const appends = batch(500);
    const results = await t.store.appendToStreams(appends, { commandId: randomUUID() });
    expect(results).toHaveLength(500);
    expect(new Set(results.map((r) => r.position.commit)).size).toBe(1);
    expect(results.every((r) => r.nextExpectedRevision === 0n && !r.duplicate)).toBe(true);
    const prepares = results.map((r) => r.position.prepare);
    expect([...prepares].sort((a, b) => (a < b ? -1 : 1))).toEqual(prepares);
    const last = await t.store.readStream(appends[499]!.stream);
    expect(last.map((e) => e.data)).toEqual([{ i: 499 }]);
  });

  it('writes nothing when the stream that fails comes last, or in the middle', async () => {
    for (const failing of [499, 250]) {
      const appends = batch(500);
      await t.store.appendToStream(appends[failing]!.stream, [{ type: 'Existing', data: {} }]);
      const error = await t.store.appendToStreams(appends).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).streamName).toBe(appends[failing]!.stream);
      for (const i of [0, failing - 1, failing + 1].filter((n) => n < 500)) {
        await expect(t.store.readStream(appends[i]!.stream)).rejects.toBeInstanceOf(StreamNotFoundError);
      }
    }
  });

  it('writes nothing when an event id in the middle is already stored', async () => {
    const appends = batch(300);
    const taken = randomUUID();
    await t.store.appendToStream(`other-${randomUUID()}`, [{ id: taken, type: 'Taken', data: {} }]);
    appends[150]!.events[0]!.id = taken;
    await expect(t.store.appendToStreams(appends)).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(t.store.readStream(appends[0]!.stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(t.store.readStream(appends[299]!.stream)).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('answers a repeated command with the first results, writing nothing more', async () => {
    const appends = batch(200);
    const commandId = randomUUID();
    const first = await t.store.appendToStreams(appends, { commandId });
    const again = await t.store.appendToStreams(appends, { commandId });
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect(again.map((r) => r.position)).toEqual(first.map((r) => r.position));
    expect(await t.store.readStream(appends[100]!.stream)).toHaveLength(1);
  });
});
