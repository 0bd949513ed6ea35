import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  parseServerVersion,
  serverFeatures,
  UnsupportedServerFeatureError,
} from './server-version.js';

describe('server version', () => {
  it('parses release and pre-release versions', () => {
    expect(parseServerVersion('2.9.10')).toEqual({ major: 2, minor: 9, patch: 10 });
    expect(parseServerVersion('v2.11.0-RC.3')).toEqual({ major: 2, minor: 11, patch: 0 });
    expect(() => parseServerVersion('latest')).toThrow(/cannot read/);
  });

  it('compares numerically, not as text', () => {
    expect(compareVersions(parseServerVersion('2.10.0'), parseServerVersion('2.9.10'))).toBeGreaterThan(0);
    expect(compareVersions(parseServerVersion('2.9.10'), parseServerVersion('2.9.9'))).toBeGreaterThan(0);
    expect(compareVersions(parseServerVersion('2.9.10'), parseServerVersion('2.9.10'))).toBe(0);
  });

  it('says what a 2.9 server lacks and a 2.10 / 2.11 server has', () => {
    const old = serverFeatures('2.9.10');
    expect(old.supports('multipleFilterSubjects')).toBe(false);
    expect(old.supports('subjectTransforms')).toBe(false);
    expect(old.supports('perMessageTtl')).toBe(false);
    expect(old.supports('termWithReason')).toBe(false);
    const ten = serverFeatures('2.10.22');
    expect(ten.supports('multipleFilterSubjects')).toBe(true);
    expect(ten.supports('subjectTransforms')).toBe(true);
    expect(ten.supports('perMessageTtl')).toBe(false);
    const eleven = serverFeatures('2.11.0');
    expect(eleven.supports('perMessageTtl')).toBe(true);
    expect(eleven.supports('termWithReason')).toBe(true);
  });

  it('refuses with an error naming the feature, the usage and both versions', () => {
    const old = serverFeatures('2.9.10');
    let caught: unknown;
    try {
      old.require('multipleFilterSubjects', 'consumer X/y: filter_subjects');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsupportedServerFeatureError);
    expect((caught as Error).message).toMatch(
      /consumer X\/y: filter_subjects.*multipleFilterSubjects.*2\.10\.0.*2\.9\.10/,
    );
    expect(() => serverFeatures('2.10.0').require('multipleFilterSubjects', 'x')).not.toThrow();
  });
});
