import { describe, expect, it } from 'vitest';
import { AliasError } from './errors.js';
import {
  paging,
  parseDateBound,
  parseDateRange,
  parseList,
  parseSearchOptions,
  parseSort,
} from './search-query.js';

const rejects = (fn: () => unknown, message: RegExp) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AliasError);
    expect((error as AliasError).statusCode).toBe(400);
    expect((error as AliasError).error).toBe('invalid_request');
    expect((error as AliasError).description).toMatch(message);
    return;
  }
  throw new Error('expected a 400');
};

describe('list filters', () => {
  it('take repeated parameters and comma-separated values, mixed, without duplicates', () => {
    expect(parseList('status', ['sent,pending', 'sent'])).toEqual(['sent', 'pending']);
    expect(parseList('alias_id', ['a'])).toEqual(['a']);
  });

  it('are undefined when the parameter is absent', () => {
    expect(parseList('status', undefined)).toBeUndefined();
  });

  it('refuse an empty value and a value outside the allowed ones, naming the parameter', () => {
    rejects(() => parseList('channel', ['a,,b']), /^channel: empty value/);
    rejects(() => parseList('channel', ['']), /^channel: empty value/);
    rejects(
      () => parseList('status', ['sent,lost'], ['pending', 'sending', 'sent']),
      /^status: lost is not one of/,
    );
  });

  it('refuse more than 100 values', () => {
    rejects(
      () => parseList('alias_id', [Array.from({ length: 101 }, (_, i) => `a${i}`).join(',')]),
      /at most 100/,
    );
  });
});

describe('date bounds', () => {
  it('append T00:00:00Z to a bare date for _from and T23:59:59Z for _to', () => {
    expect(parseDateBound('created_from', '2020-01-19', 'from').toISOString()).toBe(
      '2020-01-19T00:00:00.000Z',
    );
    expect(parseDateBound('created_to', '2020-01-19', 'to').toISOString()).toBe('2020-01-19T23:59:59.000Z');
  });

  it('read RFC 3339 date-times with Z, offsets, fractions, and UTC when no zone is given', () => {
    const iso = (value: string) => parseDateBound('x', value, 'from').toISOString();
    expect(iso('2020-01-19T10:00:00Z')).toBe('2020-01-19T10:00:00.000Z');
    expect(iso('2020-01-19T10:00:00+01:00')).toBe('2020-01-19T09:00:00.000Z');
    expect(iso('2020-01-19T10:00:00-0230')).toBe('2020-01-19T12:30:00.000Z');
    expect(iso('2020-01-19T10:00:00.25Z')).toBe('2020-01-19T10:00:00.250Z');
    expect(iso('2020-01-19T10:00')).toBe('2020-01-19T10:00:00.000Z');
    expect(iso('2020-06-30T12:15:30+00:00')).toBe('2020-06-30T12:15:30.000Z');
  });

  it('read an unencoded + of an offset, which arrives as a space', () => {
    expect(parseDateBound('x', '2020-01-19T10:00:00 01:00', 'from').toISOString()).toBe(
      '2020-01-19T09:00:00.000Z',
    );
  });

  it('refuse what is not a date, naming the parameter', () => {
    for (const value of ['yesterday', '2020-1-19', '2020-01-19T', '20200119', '2020-01-19T10:00:00+1', '']) {
      rejects(() => parseDateBound('created_from', value, 'from'), /^created_from: .* is not a date/);
    }
  });

  it('refuse impossible dates and times', () => {
    for (const value of [
      '2020-13-01',
      '2020-02-30',
      '2021-02-29',
      '2020-00-10',
      '2020-01-19T24:00:00Z',
      '2020-01-19T10:60:00Z',
      '2020-01-19T10:00:60Z',
      '2020-01-19T10:00:00+24:00',
    ]) {
      rejects(() => parseDateBound('updated_to', value, 'to'), /^updated_to: /);
    }
    expect(parseDateBound('x', '2020-02-29', 'from').toISOString()).toBe('2020-02-29T00:00:00.000Z');
  });

  it('make _to inclusive at the precision given', () => {
    expect(parseDateRange('created', undefined, '2020-01-19').before?.toISOString()).toBe(
      '2020-01-20T00:00:00.000Z',
    );
    expect(parseDateRange('created', undefined, '2020-01-19T10:30:00Z').before?.toISOString()).toBe(
      '2020-01-19T10:30:01.000Z',
    );
    expect(parseDateRange('created', undefined, '2020-01-19T10:30:00.500Z').before?.toISOString()).toBe(
      '2020-01-19T10:30:00.501Z',
    );
    expect(parseDateRange('created', '2020-01-19', undefined)).toEqual({
      from: new Date('2020-01-19T00:00:00Z'),
    });
    expect(parseDateRange('created', undefined, undefined)).toEqual({});
  });
});

describe('sort', () => {
  it('defaults to -created,-id', () => {
    expect(parseSort(undefined)).toEqual([
      { key: 'created', descending: true },
      { key: 'id', descending: true },
    ]);
  });

  it('takes several keys, comma-separated or repeated, and appends id in the first key’s direction', () => {
    expect(parseSort(['updated,-created'])).toEqual([
      { key: 'updated', descending: false },
      { key: 'created', descending: true },
      { key: 'id', descending: false },
    ]);
    expect(parseSort(['-updated', 'id'])).toEqual([
      { key: 'updated', descending: true },
      { key: 'id', descending: false },
    ]);
  });

  it('refuses an unknown key and a key given twice', () => {
    rejects(() => parseSort(['name']), /^sort: name is not one of id, created, updated/);
    rejects(() => parseSort(['created,-created']), /^sort: created is given twice/);
    rejects(() => parseSort(['--created']), /^sort: -created is not one of/);
    rejects(() => parseSort(['']), /^sort: empty value/);
  });
});

describe('paging', () => {
  it('says whether there is more and where the next page starts', () => {
    expect(paging(25, 0, 10)).toEqual({ total: 25, more: true, next: 10 });
    expect(paging(25, 20, 5)).toEqual({ total: 25, more: false, next: null });
    expect(paging(1, 0, 1)).toEqual({ total: 1, more: false, next: null });
    expect(paging(0, 0, 0)).toEqual({ total: 0, more: false, next: null });
  });

  it('answers an offset past the end with an empty last page and the real total', () => {
    expect(paging(3, 50, 0)).toEqual({ total: 3, more: false, next: null });
  });

  it('gathers the shared options', () => {
    expect(parseSearchOptions({ created_from: '2020-01-19', sort: ['id'], offset: 5, limit: 20 })).toEqual({
      created: { from: new Date('2020-01-19T00:00:00Z') },
      updated: {},
      sort: [{ key: 'id', descending: false }],
      offset: 5,
      limit: 20,
    });
  });
});
