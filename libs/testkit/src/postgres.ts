import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { testDatabaseUrl, testRunId } from './env.js';

export type Migrate = (databaseUrl: string) => Promise<void>;

export interface TestDatabase {
  /** Connection string of a database that exists only for this test. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const admin = () => postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });

const templateName = (): string => `sb_tpl_${testRunId()}`.toLowerCase();

/**
 * Builds the run's template database once: an empty database with every migration applied, so that
 * each test gets a migrated database by a cheap `CREATE DATABASE … TEMPLATE`.
 */
export async function prepareTemplate(migrate: Migrate): Promise<string> {
  const name = templateName();
  const sql = admin();
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name}`);
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await sql.end();
  }
  await migrate(withDatabase(testDatabaseUrl(), name));
  process.env.SWITCHBOARD_TEST_TEMPLATE = name;
  return name;
}

/** A fresh, isolated database; migrated when the run prepared a template, empty otherwise. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.SWITCHBOARD_TEST_TEMPLATE;
  const name = `sb_t_${testRunId()}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const sql = admin();
  try {
    await sql.unsafe(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await sql.end();
  }
  const url = withDatabase(testDatabaseUrl(), name);
  return {
    url,
    name,
    async drop() {
      const s = admin();
      try {
        await s.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await s.end();
      }
    },
  };
}

/** Drops every database this run made (the template and any test database a crash left behind). */
export async function sweepRunDatabases(): Promise<void> {
  const sql = admin();
  try {
    const run = testRunId().toLowerCase();
    const rows = await sql<{ datname: string }[]>`
      SELECT datname FROM pg_database WHERE datname LIKE ${`sb_t_${run}_%`} OR datname = ${templateName()}`;
    for (const { datname } of rows) await sql.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await sql.end();
  }
}
