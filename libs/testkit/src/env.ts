/** Where the tests find the real services; CI and developers run both on loopback. */
export const testDatabaseUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const testNatsUrl = (): string => process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** One id per `vitest run`, shared by the global set-up and every worker, so leftovers can be swept. */
export const testRunId = (): string => {
  const id = process.env.SWITCHBOARD_TEST_RUN;
  if (id) return id;
  const made = `r${process.pid.toString(36)}${Date.now().toString(36)}`;
  process.env.SWITCHBOARD_TEST_RUN = made;
  return made;
};
