import { migrate as migrateEventStore } from '@switchboard/event-store';
import { prepareTemplate, sweepRunDatabases, testRunId } from '@switchboard/testkit';

// One migrated template database per run; each test clones it (see libs/testkit).
export async function setup(): Promise<void> {
  testRunId();
  await prepareTemplate(async (url) => {
    await migrateEventStore(url);
  });
}

export async function teardown(): Promise<void> {
  await sweepRunDatabases();
}
