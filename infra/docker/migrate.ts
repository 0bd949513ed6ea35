// The migrations Job's program (k8s/base/migrate.yaml), bundled into the projector image as
// dist/migrate.js: brings the shared schemas up to date — the event store (`es`) and the core read
// models (`rm`) — then exits. Both migrations are idempotent and serialised by advisory locks, so it
// is safe beside running services; each service still migrates what it owns when it starts.
import { connectEventStore, migrate } from '@switchboard/event-store';
import { migrateReadModels } from '@switchboard/read-models';
import { createLogger } from '@switchboard/telemetry';

const logger = createLogger('migrate');
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  logger.fatal('DATABASE_URL: is required');
  process.exit(1);
}

const started = performance.now();
try {
  await migrate(databaseUrl);
  const sql = connectEventStore(databaseUrl, { max: 1 });
  try {
    await migrateReadModels(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
  logger.info({ ms: Math.round(performance.now() - started) }, 'schemas es and rm are up to date');
} catch (error) {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
}
