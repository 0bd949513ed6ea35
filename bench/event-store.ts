/**
 * Event store throughput: appends/s (1 and 16 writers, one event per append, each writer on its own
 * stream with an exact expected revision), raw single-row INSERTs into a table shaped like es.events on
 * 16 connections as the baseline, and a subscriber's catch-up rate.
 *
 *   npx tsx bench/event-store.ts
 *
 * Creates a temporary database on TEST_DATABASE_URL's server (or BENCH_DATABASE_URL's, when set) and
 * drops it at the end. Every phase is bounded by time; the whole run takes well under a minute.
 */
import { randomUUID } from 'node:crypto';
import { eventUpcasters } from '@switchboard/contracts';
import {
  connectEventStore,
  createEventStore,
  type EventStore,
  migrate,
  type Position,
} from '@switchboard/event-store';
import { createTestDatabase } from '@switchboard/testkit';
import type postgres from 'postgres';

if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

const writers = 16;
/** Raw and append run in alternating slices, so load from elsewhere on the machine hits both alike. */
const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 1000);
const pairs = 8;
const phaseMs = 3000;
const catchUpEvents = 100_000;

const payload = { text: 'hello from the benchmark', channel: 'telegram', n: 42 };
const metadata = { tenant: 'bench-tenant', correlationId: randomUUID(), actor: 'bench', schemaVersion: 1 };

const rawDdl = `
CREATE SCHEMA bench_raw;
CREATE TABLE bench_raw.events (
  global_position bigserial PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL UNIQUE,
  stream_name     text NOT NULL,
  category        text NOT NULL,
  revision        bigint NOT NULL,
  type            text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  created         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_name, revision)
);
CREATE INDEX ON bench_raw.events (transaction_id, global_position);`;

/** Runs `op(writer, i)` in `count` concurrent loops until the time is up; returns operations per second. */
async function measure(count: number, ms: number, op: (writer: number, i: number) => Promise<unknown>) {
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: count }, async (_, writer) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(writer, i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function rawInserter(sql: postgres.Sql, label: string) {
  const revisions = new Map<number, number>();
  return (writer: number) => {
    const revision = revisions.get(writer) ?? 0;
    revisions.set(writer, revision + 1);
    return sql`
      INSERT INTO bench_raw.events (event_id, stream_name, category, revision, type, data, metadata)
      VALUES (${randomUUID()}, ${`${label}-${writer}`}, ${label}, ${revision}, 'BenchHappened',
              ${sql.json(payload)}, ${sql.json(metadata)})`;
  };
}

function appender(store: EventStore, label: string, withCommandId = false) {
  const next = new Map<number, bigint | 'no_stream'>();
  return async (writer: number) => {
    const stream = `${label}-${writer}`;
    const expectedState = next.get(writer) ?? 'no_stream';
    const r = await store.appendToStream(stream, [{ type: 'BenchHappened', data: payload, metadata }], {
      expectedState,
      ...(withCommandId ? { commandId: randomUUID(), result: { ok: true } } : {}),
    });
    next.set(writer, r.nextExpectedRevision);
  };
}

async function catchUp(store: EventStore, after: Position | 'start', total: number) {
  const sub = store.subscribeToAll({ fromPosition: after, batchSize: 1000 });
  const started = performance.now();
  let seen = 0;
  for await (const batch of sub.batches()) {
    seen += batch.length;
    if (seen >= total) break;
  }
  await sub.close();
  return seen / ((performance.now() - started) / 1000);
}

async function main() {
  const db = await createTestDatabase();
  const sql = connectEventStore(db.url, { max: writers });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  try {
    await migrate(db.url);
    await sql.unsafe(rawDdl);

    // warm-up: connections opened, statements prepared, caches hot
    await measure(writers, 500, rawInserter(sql, 'warm'));
    await measure(writers, 500, appender(store, 'warm'));

    const raw: number[] = [];
    const append16: number[] = [];
    const ratios: number[] = [];
    const insertRaw = rawInserter(sql, 'raw');
    const append = appender(store, 'multi');
    for (let p = 0; p < pairs; p++) {
      raw.push(await measure(writers, sliceMs, insertRaw));
      append16.push(await measure(writers, sliceMs, append));
      ratios.push((append16[p] ?? 0) / (raw[p] ?? 1));
    }
    const append16Commands = await measure(writers, phaseMs, appender(store, 'cmd', true));
    const append1 = await measure(1, phaseMs, appender(store, 'single'));

    // catch-up: 100k events written in batches, then read by a subscriber from just before them
    const before = (await store.headPosition()) ?? 'start';
    const perAppend = 100;
    let seeded = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        while (seeded < catchUpEvents) {
          seeded += perAppend;
          const events = Array.from({ length: perAppend }, () => ({
            type: 'Seeded',
            data: payload,
            metadata,
          }));
          await store.appendToStream(`seed-${w}`, events);
        }
      }),
    );
    const catchUpRate = await catchUp(store, before, catchUpEvents);

    const ratio = median(ratios);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
    const slices = (xs: number[]) => xs.map((x) => Math.round(x)).join(' ');
    console.log(
      `\nevent store benchmark (${pairs} alternating ${sliceMs} ms slices of raw and append; medians)\n`,
    );
    console.table([
      { measure: 'raw single-row INSERT, 16 connections', value: fmt(median(raw)), slices: slices(raw) },
      {
        measure: 'append, 16 writers (expected revision)',
        value: fmt(median(append16)),
        slices: slices(append16),
      },
      {
        measure: 'ratio append16 / raw, per pair (target ≥ 60%)',
        value: `${(ratio * 100).toFixed(0)}%`,
        slices: ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(' '),
      },
      { measure: 'append, 16 writers, with command id', value: fmt(append16Commands), slices: '' },
      { measure: 'append, 1 writer', value: fmt(append1), slices: '' },
      {
        measure: `subscriber catch-up (${catchUpEvents.toLocaleString('en-US')} events)`,
        value: fmt(catchUpRate),
        slices: '',
      },
    ]);
  } finally {
    await store.close();
    await sql.end();
    await db.drop();
  }
}

await main();
