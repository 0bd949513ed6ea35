/** Whether a readiness check (a `SELECT 1`, a ping) currently succeeds; never throws. */
export async function succeeds(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}
