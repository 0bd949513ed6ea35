/**
 * A broadcast to every subscriber of a topic: how long the fan-out takes to create every delivery record
 * (resolution in batches, one append transaction per batch of recipient streams), then to deliver them
 * (each checked against the user's own stream, outcomes appended per batch), and how long the read
 * models take to show it all.
 *
 *   npx tsx bench/broadcast.ts                    # 100,000 subscribers
 *   BENCH_RECIPIENTS=20000 npx tsx bench/broadcast.ts
 *
 * Creates a temporary database on TEST_DATABASE_URL's server (or BENCH_DATABASE_URL's, when set) and drops
 * it at the end. The fan-out runs in this process exactly as in the `broadcaster` service (its FanOut,
 * BATCH_SIZE and DELIVERY_CONCURRENCY from the environment or their defaults).
 */
import { randomUUID } from 'node:crypto';
import { FanOut, type FanOutStep } from '../services/broadcaster/src/fan-out.js';
import {
  catchUp,
  connectedUsers,
  requestBroadcast,
  scene,
} from '../services/broadcaster/src/test-support.js';

if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

const recipients = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const batchSize = Number(process.env.BATCH_SIZE ?? 500);
const deliveryConcurrency = Number(process.env.DELIVERY_CONCURRENCY ?? 16);

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en');

const s = await scene();
try {
  const clientId = randomUUID();
  let started = performance.now();
  await connectedUsers(s.store, clientId, recipients);
  await catchUp(s.sql, s.store);
  const seedMs = performance.now() - started;
  console.log(
    `seeded ${recipients.toLocaleString('en')} connected users in ${seconds(seedMs)} s (not measured)`,
  );

  const { broadcastId } = await requestBroadcast(s.store, clientId);
  await catchUp(s.sql, s.store);

  let dispatchedAt = 0;
  let completed: Extract<FanOutStep, { kind: 'completed' }> | undefined;
  const fanOut = new FanOut({
    store: s.store,
    sql: s.sql,
    batchSize,
    deliveryConcurrency,
    onStep: (step) => {
      if (step.kind === 'dispatched') dispatchedAt = performance.now();
      if (step.kind === 'completed') completed = step;
    },
  });
  started = performance.now();
  const result = await fanOut.run(broadcastId);
  const sentAt = performance.now();
  if (result !== 'sent' || !completed) throw new Error(`the broadcast ended ${result}`);
  const count = completed.delivered + completed.failed;
  if (count !== recipients) throw new Error(`${count} deliveries for ${recipients} subscribers`);

  const projectionStart = performance.now();
  await catchUp(s.sql, s.store);
  const projectedMs = performance.now() - projectionStart;
  const [row] = await s.sql`
    SELECT status, recipient_count, delivered_count FROM rm.alias_outbound_messages WHERE broadcast_id = ${broadcastId}`;
  if (row?.status !== 'sent' || row.delivered_count !== recipients) {
    throw new Error(`read model shows ${JSON.stringify(row)}`);
  }

  const createMs = dispatchedAt - started;
  const deliverMs = sentAt - dispatchedAt;
  console.log(`\nbroadcast to ${recipients.toLocaleString('en')} subscribers, batches of ${batchSize}\n`);
  console.log('| Figure | Value |');
  console.log('| --- | --- |');
  console.log(`| time to create every delivery record (pending → sending) | ${seconds(createMs)} s |`);
  console.log(`| delivery records created per second | ${perSecond(recipients, createMs)} |`);
  console.log(`| time to deliver them all (sending → sent) | ${seconds(deliverMs)} s |`);
  console.log(`| deliveries per second | ${perSecond(recipients, deliverMs)} |`);
  console.log(`| request to sent, end to end | ${seconds(sentAt - started)} s |`);
  console.log(
    `| read models caught up afterwards (projecting ${(2 * recipients).toLocaleString('en')} recipient events) | ${seconds(projectedMs)} s |`,
  );
} finally {
  await s.close();
}
