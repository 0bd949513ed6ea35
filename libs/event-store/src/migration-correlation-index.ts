import type { Migration } from './migrations.js';

/**
 * `switchboard trace <correlationId>` finds every event one request caused, across streams, without
 * scanning `$all`. IF NOT EXISTS, so that an index created by hand beforehand (e.g. CONCURRENTLY on a
 * large store, which a transactional migration cannot do) is taken as is; undone by dropping the index.
 */
export const correlationIndexMigration: Migration = {
  version: 2,
  name: 'events by correlation id',
  sql: /* sql */ `
CREATE INDEX IF NOT EXISTS events_correlation_id ON es.events ((metadata->>'correlationId'));
`,
};
