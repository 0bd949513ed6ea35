import type postgres from 'postgres';

/**
 * The session-level advisory lock naming a projection's single writer (two-int form, class 0x726d =
 * 'rm', key = hashtext(projection)). Held by the leading projector, or by a rebuild replaying on its own.
 * Take it on a connection no one else uses: it lasts as long as that session.
 */
const lockClass = 0x726d;

/** The lock as a leader holds it for as long as its session lives (`LeaderLock` of the runtime). */
export function projectionLockKey(projection: string): { classId: number; name: string } {
  return { classId: lockClass, name: projection };
}

export async function tryLockProjection(conn: postgres.ISql, projection: string): Promise<boolean> {
  const [row] = await conn<{ locked: boolean }[]>`
    SELECT pg_try_advisory_lock(${lockClass}, hashtext(${projection})) AS locked`;
  return row?.locked === true;
}

export async function unlockProjection(conn: postgres.ISql, projection: string): Promise<void> {
  await conn`SELECT pg_advisory_unlock(${lockClass}, hashtext(${projection}))`;
}

/** Whether this session holds the lock (false after a reconnect: the new session holds nothing). */
export async function holdsProjectionLock(conn: postgres.ISql, projection: string): Promise<boolean> {
  const [row] = await conn<{ held: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
        AND classid = ${lockClass}::int::oid AND objid = hashtext(${projection})::oid AND objsubid = 2
    ) AS held`;
  return row?.held === true;
}
