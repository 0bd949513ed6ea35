import { migrate as migrateEventStore } from '@switchboard/event-store';
import { migrateReadModels } from '@switchboard/read-models';
import { prepareTemplate, sweepRunDatabases, testRunId } from '@switchboard/testkit';
import postgres from 'postgres';

// One migrated template database per run; each test clones it (see libs/testkit).
export async function setup(): Promise<void> {
  testRunId();
  await prepareTemplate(async (url) => {
    await migrateEventStore(url);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrateReadModels(sql);
    } finally {
      await sql.end();
    }
  });
}

export async function teardown(): Promise<void> {
  await sweepRunDatabases();
}
