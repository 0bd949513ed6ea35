import { describe, expect, it } from 'vitest';
import { retargetSql, UnretargetableSqlError } from './rebuild-target-schema.js';

describe('retargetSql', () => {
  it('moves every rm-qualified name, and the schema creation, to the target schema', () => {
    expect(
      retargetSql(
        'CREATE SCHEMA IF NOT EXISTS rm;\nCREATE INDEX IF NOT EXISTS users_client ON rm.users (client_id);',
        'rm_next',
      ),
    ).toBe(
      'CREATE SCHEMA IF NOT EXISTS rm_next;\nCREATE INDEX IF NOT EXISTS users_client ON rm_next.users (client_id);',
    );
    expect(retargetSql('UPDATE rm.conversations c SET x = 1 FROM rm.messages m', 'rm_next')).toBe(
      'UPDATE rm_next.conversations c SET x = 1 FROM rm_next.messages m',
    );
  });

  it('leaves names that only end in rm, and channel names, alone', () => {
    const text = "SELECT form.id, perm.x, pg_notify('rm_checkpoint', 'a'), t.rm FROM form";
    expect(retargetSql(text, 'rm_next')).toBe(text);
  });

  it('refuses forms it cannot retarget rather than write to the live tables', () => {
    expect(() => retargetSql('SELECT * FROM "rm".users', 'rm_next')).toThrow(UnretargetableSqlError);
    expect(() => retargetSql('SELECT * FROM rm .users', 'rm_next')).toThrow(UnretargetableSqlError);
    expect(() => retargetSql('SELECT 1', 'rm; DROP')).toThrow(/not a plain schema name/);
  });
});
