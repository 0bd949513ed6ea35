import type postgres from 'postgres';
import { jsonRows } from './json-rows.js';
import type { ProjectedEvent } from './recorded-runs.js';

export async function insertUsers(sql: postgres.ISql, events: ProjectedEvent<'UserCreated'>[]) {
  const rows = events.map(({ data, created }) => ({
    id: data.userId,
    client_id: data.clientId,
    at: created,
  }));
  await sql`
    INSERT INTO rm.users (id, client_id, created_at)
    SELECT r.id, r.client_id, r.at
    FROM jsonb_to_recordset(${jsonRows(sql, rows)}::jsonb) AS r(id uuid, client_id uuid, at timestamptz)`;
}
