// Rebuilds the core read models from the event store: `node --import tsx services/projector/src/rebuild.ts`
// with the projector's environment (DATABASE_URL). Empties the tables, then replays `$all` (or lets the
// running leader replay it) and exits once the read models are back at the head of the store.
import { connectEventStore, createEventStore, migrate } from '@switchboard/event-store';
import { rebuildReadModels } from '@switchboard/read-models';
import { loadConfig } from '@switchboard/runtime';
import { createLogger } from '@switchboard/telemetry';
import { ProjectorConfigSchema } from './config.js';

const logger = createLogger('projector-rebuild');
let exitCode = 0;
try {
  const config = loadConfig(ProjectorConfigSchema);
  await migrate(config.DATABASE_URL);
  // one connection of the pool holds the projection's lock while the others replay
  const sql = connectEventStore(config.DATABASE_URL, { max: Math.max(3, config.DATABASE_POOL_SIZE) });
  const store = createEventStore({ sql });
  try {
    const started = performance.now();
    let reported = 0;
    const result = await rebuildReadModels(sql, store, {
      batchSize: config.PROJECTOR_BATCH_SIZE,
      onProgress: (position, replayed) => {
        if (replayed - reported < 10_000) return;
        reported = replayed;
        logger.info({ replayed, commit: `${position.commit}`, prepare: `${position.prepare}` }, 'replaying');
      },
    });
    logger.info(
      {
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
