export { testDatabaseUrl, testNatsUrl, testRunId } from './env.js';
export { createTestNats, type TestNats } from './nats.js';
export {
  createTestDatabase,
  type Migrate,
  prepareTemplate,
  sweepRunDatabases,
  type TestDatabase,
} from './postgres.js';
