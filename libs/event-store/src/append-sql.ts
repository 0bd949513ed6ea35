import type { ExpectedKind } from './expected-state.js';
import { lockClass, notifierLockKey, notifyChannel } from './migrations.js';

/**
 * One statement per expected state: take n revisions on the stream if its state matches, insert the
 * events, record the command, wake subscribers. One round trip, no explicit transaction, and nothing
 * wider than the stream's row is locked. An empty result means the stream's state did not match (or
 * the command id is already recorded); the caller then asks `diagnoseSql` which.
 *
 * $1 stream, $2 category, $3 event count, $4 events jsonb [{ id, type, data, metadata }], $5 command id,
 * $6 command result jsonb, and for 'revision' only $7 the expected revision.
 */
const takeRevisions: Record<ExpectedKind, string> = {
  any: `
    INSERT INTO es.streams AS s (name, category, revision)
    SELECT $1::text, $2::text, $3::bigint - 1 WHERE NOT EXISTS (SELECT FROM es.commands WHERE command_id = $5)
    ON CONFLICT (name) DO UPDATE SET revision = s.revision + $3::bigint
      WHERE NOT s.tombstoned
    RETURNING s.revision`,
  // A concurrent creator holds the key: the insert waits for it, then the conflict's condition fails.
  // A row without live events (soft-deleted, or metadata only) counts as no stream.
  no_stream: `
    INSERT INTO es.streams AS s (name, category, revision)
    SELECT $1::text, $2::text, $3::bigint - 1 WHERE NOT EXISTS (SELECT FROM es.commands WHERE command_id = $5)
    ON CONFLICT (name) DO UPDATE SET revision = s.revision + $3::bigint
      WHERE s.revision = s.deleted_at_revision AND NOT s.tombstoned
    RETURNING s.revision`,
  stream_exists: `
    UPDATE es.streams SET revision = revision + $3::bigint
    WHERE name = $1::text AND revision > deleted_at_revision AND NOT tombstoned
      AND NOT EXISTS (SELECT FROM es.commands WHERE command_id = $5)
    RETURNING revision`,
  revision: `
    UPDATE es.streams SET revision = revision + $3::bigint
    WHERE name = $1::text AND revision = $7::bigint AND revision > deleted_at_revision AND NOT tombstoned
      AND NOT EXISTS (SELECT FROM es.commands WHERE command_id = $5)
    RETURNING revision`,
};

const appendSql = (kind: ExpectedKind): string => `
WITH taken AS (${takeRevisions[kind]}
), appended AS (
  INSERT INTO es.events (event_id, stream_name, category, revision, type, data, metadata)
  SELECT x.id, $1::text, $2::text, taken.revision - $3::bigint + x.k, x.type, coalesce(x.data, 'null'), x.metadata
  FROM taken,
       ROWS FROM (jsonb_to_recordset($4::jsonb) AS (id uuid, type text, data jsonb, metadata jsonb))
         WITH ORDINALITY AS x(id, type, data, metadata, k)
  ORDER BY x.k
  RETURNING revision, transaction_id, global_position
), last AS (
  SELECT revision, transaction_id, global_position FROM appended ORDER BY global_position DESC LIMIT 1
), recorded AS (
  -- a plain insert: an identical command racing us fails here (unique violation) and returns ours
  INSERT INTO es.commands (command_id, result, appends)
  SELECT $5, $6::jsonb, jsonb_build_array(jsonb_build_object('stream', $1::text, 'revision', revision::text,
           'commit', transaction_id::text, 'prepare', global_position::text))
  FROM last WHERE $5::text IS NOT NULL
)
SELECT revision::text AS revision, transaction_id::text AS commit, global_position::text AS prepare,
       CASE WHEN pg_try_advisory_xact_lock(${lockClass}, ${notifierLockKey})
            THEN (SELECT true FROM pg_notify('${notifyChannel}', '')) ELSE false END AS notified
FROM last`;

export const appendStatements: Record<ExpectedKind, string> = {
  any: appendSql('any'),
  no_stream: appendSql('no_stream'),
  stream_exists: appendSql('stream_exists'),
  revision: appendSql('revision'),
};

/** Why an append statement wrote nothing: the command already ran, or the stream's state. */
export const diagnoseSql = `
SELECT c.result AS result, c.appends AS appends, c.command_id IS NOT NULL AS known,
       s.revision::text AS last, s.deleted_at_revision::text AS deleted, s.tombstoned AS tombstoned
FROM (SELECT) one
LEFT JOIN es.commands c ON c.command_id = $1
LEFT JOIN es.streams s ON s.name = $2`;

/** Records a multi-stream command after its appends (in their transaction). */
export const recordCommandSql = `
INSERT INTO es.commands (command_id, result, appends) VALUES ($1, $2::jsonb, $3::jsonb)`;

export const knownCommandSql = `
SELECT result, appends FROM es.commands WHERE command_id = $1`;

/** Where the given event ids are stored, in the order given (null columns: not stored). */
export const storedIdsSql = `
SELECT i.id::text AS id, e.stream_name AS stream, e.revision::text AS revision,
       e.transaction_id::text AS commit, e.global_position::text AS prepare
FROM unnest($1::uuid[]) WITH ORDINALITY AS i(id, k)
LEFT JOIN es.events e ON e.event_id = i.id
ORDER BY i.k`;
