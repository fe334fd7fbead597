/** The literal-table test every scheme runs: ordering both ways, equalities, and precise rejections. */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import type { VersionScheme } from '../types.js';
import type { SchemeTable } from './table.js';

export function checkTable(scheme: VersionScheme, table: SchemeTable): void {
  describe(`${scheme.id} literal table`, () => {
    it.each(table.ascending.map(([a, b]) => [a, b]))('%s < %s', (a, b) => {
      expect(scheme.compare(a, b)).toBeLessThan(0);
      expect(scheme.compare(b, a)).toBeGreaterThan(0);
    });

    it.each(table.equal.map(([a, b]) => [a, b]))('%s == %s', (a, b) => {
      expect(scheme.compare(a, b)).toBe(0);
      expect(scheme.compare(b, a)).toBe(0);
    });

    it.each(table.invalid.map((v) => [v]))('rejects %j', (bad) => {
      expect(scheme.isValid(bad)).toBe(false);
      expect(compareRefusal(scheme, bad).message).toContain(`${scheme.id} version`);
    });
  });
}

/** The INVALID_VERSION error compare raises for a version isValid refuses. */
export function compareRefusal(scheme: VersionScheme, version: string): Error {
  let thrown: unknown;
  try {
    scheme.compare(version, version);
  } catch (err) {
    thrown = err;
  }
  expect(isPortcullisError(thrown, 'INVALID_VERSION')).toBe(true);
  return thrown as Error;
}
