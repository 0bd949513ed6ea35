import { defineConfig } from 'vitest/config';

// Three kinds of test, one runner: pure unit specs, tests against the real NATS and PostgreSQL,
// and whole-stack tests that start every service as its own process.
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/**/*.unit.test.ts', 'services/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['libs/**/*.int.test.ts', 'services/**/*.int.test.ts', 'k8s/tests/**/*.int.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test-e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
