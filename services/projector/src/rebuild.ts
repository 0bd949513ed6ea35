import { eventUpcasters } from '@switchboard/contracts';
// Rebuilds a projection without downtime: `node --import tsx services/projector/src/rebuild.ts [name]`
// (default: core) with the projector's environment (DATABASE_URL), the same rebuild as
// `switchboard projections rebuild <name>`. Replays `$all` into fresh tables while the live ones keep
// serving, switches atomically (the running projector pauses only for the switch and resumes from the
// rebuilt checkpoint) and exits.
import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import { projectionNamed, rebuildOnline } from '@switchboard/read-models';
import { loadConfig } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { ProjectorConfigSchema } from './config.js';

const logger = createLogger('projector-rebuild');
let exitCode = 0;
try {
  const config = loadConfig(ProjectorConfigSchema);
  const projection = projectionNamed(process.argv[2] ?? 'core');
  await migrate(config.DATABASE_URL);
  // the rebuild's lock, its writes and the store's reads each take a connection
  const sql = connectEventStore(config.DATABASE_URL, { max: Math.max(4, config.DATABASE_POOL_SIZE) });
  const store = createEventStore({ sql, upcasters: eventUpcasters });
  try {
    const started = performance.now();
    let reported = 0;
    const result = await rebuildOnline(sql, store, {
      projection,
      batchSize: config.PROJECTOR_BATCH_SIZE,
      onProgress: ({ phase, position, replayed }) => {
        if (phase === 'replaying' && replayed - reported < 10_000) return;
        reported = replayed;
        logger.info({ phase, replayed, commit: `${position.commit}`, prepare: `${position.prepare}` }, phase);
      },
    });
    logger.info(
      {
        projection: projection.name,
        replayed: result.replayed,
        commit: `${result.position.commit}`,
        prepare: `${result.position.prepare}`,
        ms: Math.round(performance.now() - started),
      },
      'rebuilt',
    );
  } finally {
    await store.close();
    await sql.end({ timeout: 5 });
  }
} catch (error) {
  logger.fatal({ err: error }, 'rebuild failed');
  exitCode = 1;
}
process.exitCode = exitCode;
