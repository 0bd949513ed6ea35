/**
 * Read statements. Column aliases are single lowercase words so a client-side column transform
 * (e.g. camelCase) leaves them alone. Positions and revisions travel as text and become bigints.
 */
const eventColumns = (e: string) => `
  ${e}.event_id::text AS id, ${e}.type AS type, ${e}.stream_name AS stream, ${e}.revision::text AS revision,
  ${e}.transaction_id::text AS commit, ${e}.global_position::text AS prepare, ${e}.data AS data,
  ${e}.metadata AS meta, ${e}.created AS created`;

/**
 * A stream's row and its visible events from $2 (inclusive) in one direction, at most $3 (null: all).
 * Soft delete, truncateBefore and maxCount raise the lowest visible revision; maxAge hides by age.
 */
const readStreamSql = (direction: 'forwards' | 'backwards') => `
SELECT s.revision::text AS last, s.deleted_at_revision::text AS deleted, s.tombstoned AS tombstoned, e.*
FROM es.streams s
LEFT JOIN LATERAL (
  SELECT ${eventColumns('ev')}
  FROM es.events ev
  WHERE ev.stream_name = s.name
    AND ev.revision >= greatest(s.deleted_at_revision + 1, (s.metadata->>'truncateBefore')::bigint,
                                s.revision - (s.metadata->>'maxCount')::bigint + 1)
    AND ev.revision ${direction === 'forwards' ? '>=' : '<='} $2::bigint
    AND (s.metadata->'maxAge' IS NULL
         OR ev.created >= now() - make_interval(secs => (s.metadata->>'maxAge')::double precision))
  ORDER BY ev.revision ${direction === 'forwards' ? 'ASC' : 'DESC'}
  LIMIT $3::bigint
) e ON true
WHERE s.name = $1::text`;

export const readStreamForwardsSql = readStreamSql('forwards');
export const readStreamBackwardsSql = readStreamSql('backwards');

/**
 * Only rows of transactions older than every transaction still running are read: those can no longer
 * change, and anything committed later sorts after them. $1/$2 = exclusive bound (commit, prepare).
 */
const visible = `ev.transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

const filterSql = (e: string) => `
  ($4::text[] IS NULL OR ${e}.category = ANY ($4::text[]))
  AND ($5::text[] IS NULL OR ${e}.type = ANY ($5::text[]))
  AND ($6::text IS NULL OR ${e}.metadata->>'tenant' = $6::text)`;

const readAllSql = (direction: 'forwards' | 'backwards') => `
SELECT ${eventColumns('ev')}
FROM es.events ev
WHERE ${visible}
  AND (ev.transaction_id, ev.global_position) ${direction === 'forwards' ? '>' : '<'} ($1::xid8, $2::bigint)
  AND ${filterSql('ev')}
ORDER BY ev.transaction_id ${direction === 'forwards' ? 'ASC' : 'DESC'}, ev.global_position ${direction === 'forwards' ? 'ASC' : 'DESC'}
LIMIT $3::bigint`;

export const readAllForwardsSql = readAllSql('forwards');
export const readAllBackwardsSql = readAllSql('backwards');

/**
 * A subscription's page: scans at most $3 visible rows after ($1, $2) and returns the first $7 of those
 * matching the filter, plus the last row scanned, so a selective filter still advances. `ordinal` numbers
 * the matches (on the last row scanned: how many matched in all); one row of nulls when nothing was
 * scanned. `inflight`: transactions were running at the snapshot (one of them may be an append whose
 * wake-up was folded into another's).
 */
export const subscriptionPageSql = `
SELECT w.inflight, p.matched, p.ordinal, p.scanned, ${eventColumns('p')}
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) < pg_snapshot_xmax(pg_current_snapshot()) AS inflight) w
LEFT JOIN LATERAL (
  SELECT q.* FROM (
    SELECT m.*,
           count(*) FILTER (WHERE m.matched) OVER (ORDER BY m.transaction_id, m.global_position) AS ordinal,
           row_number() OVER (ORDER BY m.transaction_id DESC, m.global_position DESC) AS from_end,
           count(*) OVER () AS scanned
    FROM (
      SELECT ev.*, ${filterSql('ev')} AS matched
      FROM es.events ev
      WHERE ${visible} AND (ev.transaction_id, ev.global_position) > ($1::xid8, $2::bigint)
      ORDER BY ev.transaction_id, ev.global_position
      LIMIT $3::bigint
    ) m
  ) q
  WHERE (q.matched AND q.ordinal <= $7::bigint) OR q.from_end = 1
) p ON true
ORDER BY p.transaction_id, p.global_position`;

/**
 * Every event recorded with correlation id $1, across streams, in \`$all\` order, at most $2: what one
 * request caused. Uses the index on \`metadata->>'correlationId'\` (migration 2); reads the table itself,
 * so events of deleted streams are included.
 */
export const readCorrelatedSql = `
SELECT ${eventColumns('ev')}
FROM es.events ev
WHERE ev.metadata->>'correlationId' = $1::text
ORDER BY ev.transaction_id, ev.global_position
LIMIT $2::bigint`;

export const headPositionSql = `
SELECT ev.transaction_id::text AS commit, ev.global_position::text AS prepare
FROM es.events ev
WHERE ${visible}
ORDER BY ev.transaction_id DESC, ev.global_position DESC
LIMIT 1`;

export const streamStateSql = `
SELECT revision::text AS last, deleted_at_revision::text AS deleted, tombstoned, metadata
FROM es.streams WHERE name = $1::text`;
