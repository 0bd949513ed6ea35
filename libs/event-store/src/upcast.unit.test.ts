import { describe, expect, it } from 'vitest';
import type { Upcaster } from './types.js';
import { indexUpcasters, upcast } from './upcast.js';

const splitName: Upcaster = {
  eventType: 'UserCreated',
  fromVersion: 1,
  upcast: (e) => {
    const { name } = e.data as { name: string };
    const [first, ...rest] = name.split(' ');
    return {
      type: e.type,
      data: { firstName: first, lastName: rest.join(' ') },
      metadata: { ...e.metadata, schemaVersion: 2 },
    };
  },
};
const addLocale: Upcaster = {
  eventType: 'UserCreated',
  fromVersion: 2,
  upcast: (e) => ({
    type: e.type,
    data: { ...(e.data as object), locale: 'en' },
    metadata: { ...e.metadata, schemaVersion: 3 },
  }),
};

describe('upcasting', () => {
  it('chains upcasters until none matches, leaving the input untouched', () => {
    const stored = { type: 'UserCreated', data: { name: 'Ann Lee' }, metadata: { tenant: 't1' } };
    const copy = structuredClone(stored);
    const result = upcast(stored, indexUpcasters([addLocale, splitName]));
    expect(result).toEqual({
      type: 'UserCreated',
      data: { firstName: 'Ann', lastName: 'Lee', locale: 'en' },
      metadata: { tenant: 't1', schemaVersion: 3 },
    });
    expect(stored).toEqual(copy);
  });

  it('starts from the stored version and leaves other types and current versions alone', () => {
    const index = indexUpcasters([splitName, addLocale]);
    const v2 = { type: 'UserCreated', data: { firstName: 'A' }, metadata: { schemaVersion: 2 } };
    expect(upcast(v2, index).data).toEqual({ firstName: 'A', locale: 'en' });
    const other = { type: 'UserRenamed', data: { name: 'x' }, metadata: {} };
    expect(upcast(other, index)).toBe(other);
  });

  it('refuses an upcaster that does not raise the schema version', () => {
    const stuck: Upcaster = { eventType: 'X', fromVersion: 1, upcast: (e) => e };
    expect(() => upcast({ type: 'X', data: 1, metadata: {} }, indexUpcasters([stuck]))).toThrow(
      /schemaVersion/,
    );
  });

  it('refuses two upcasters for the same type and version', () => {
    expect(() => indexUpcasters([splitName, { ...splitName }])).toThrow(/two upcasters/);
  });
});
