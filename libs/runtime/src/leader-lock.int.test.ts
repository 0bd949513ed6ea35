import { createTestDatabase, type TestDatabase } from '@switchboard/testkit';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdvisoryKey, LeaderLock } from './leader-lock.js';

describe('LeaderLock', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const locks: LeaderLock[] = [];
  const lock = (key: AdvisoryKey) => {
    const l = new LeaderLock(db.url, key);
    locks.push(l);
    return l;
  };
  const heldBy = async (applicationName: string) => {
    const rows = await sql<{ pid: number }[]>`
      SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ${applicationName}`;
    return rows.map((r) => r.pid);
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((l) => l.release()));
    await sql.end();
    await db.drop();
  });

  for (const key of [{ name: 'one-key' }, { name: 'class-and-key', classId: 0x7465 }] as AdvisoryKey[]) {
    describe(key.classId === undefined ? 'keyed by a name' : 'keyed by a class and a name', () => {
      it('is held by one process at a time and passes on when released', async () => {
        const a = lock(key);
        const b = lock(key);
        expect(await a.tryAcquire()).toBe(true);
        expect(await b.tryAcquire()).toBe(false);
        // Asking again while holding it keeps it.
        expect(await a.tryAcquire()).toBe(true);
        expect(a.held).toBe(true);
        expect(b.held).toBe(false);

        await a.release();
        expect(a.held).toBe(false);
        expect(await b.tryAcquire()).toBe(true);
        expect(await a.tryAcquire()).toBe(false);
      });

      it('is lost with its session, and another process takes it', async () => {
        const a = lock(key);
        const b = lock(key);
        expect(await a.tryAcquire()).toBe(true);
        const [pid] = await heldBy(`leader:${key.name}`);
        expect(pid).toBeTypeOf('number');
        await sql`SELECT pg_terminate_backend(${pid!})`;

        expect(await a.verify()).toBe(false);
        expect(a.held).toBe(false);
        expect(await b.tryAcquire()).toBe(true);
        expect(await b.verify()).toBe(true);
      });
    });
  }

  it('tells the two forms apart: the same name in a class is another lock', async () => {
    expect(await lock({ name: 'shared' }).tryAcquire()).toBe(true);
    expect(await lock({ name: 'shared', classId: 1 }).tryAcquire()).toBe(true);
    expect(await lock({ name: 'shared', classId: 1 }).tryAcquire()).toBe(false);
  });
});
