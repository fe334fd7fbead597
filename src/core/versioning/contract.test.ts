/**
 * Every registered scheme must be a total order on its own table values (reflexive,
 * antisymmetric, transitive) and must answer `isValid` on garbage without throwing.
 */
import { describe, expect, it } from 'vitest';
import { VERSION_SCHEMES, schemeFor } from './registry.js';
import { SCHEME_TABLES } from './test-support/tables.js';
import { isPortcullisError } from '../errors.js';
import { isAffected } from './osv-events.js';
import { compareRefusal } from './test-support/check-table.js';

// Near the length limit and shaped to make backtracking regular expressions explode.
const PATHOLOGICAL = [
  `1.0-beta${'1'.repeat(240)}!`,
  `1.0-beta${'1-'.repeat(120)}!`,
  `${'1.'.repeat(120)}a!`,
  `1${'-a'.repeat(120)}!`,
  `1.0${'.0'.repeat(120)}+!`,
];

// Long, repetitive range strings: each must be answered or rejected with INVALID_RANGE.
const PATHOLOGICAL_RANGES = [
  `>=1${'0'.repeat(4000)}!`,
  `>=1.0a${'1'.repeat(4000)}!`,
  `>=1.0-beta${'1-'.repeat(2000)}!`,
  `[${'1.'.repeat(2000)},)`,
  `~${'1.'.repeat(2000)}x!`,
  `${'>= 1, '.repeat(600)}!`,
  `${'1.0 || '.repeat(500)}!`,
  `^1${'.0'.repeat(1990)}-`,
  `1 - ${'1.'.repeat(2000)}`,
  'x'.repeat(10_000),
];

// Not a version in any scheme.
const GARBAGE = ['\u0000', '1.\u00000', 'x'.repeat(100_000), '1'.repeat(100_000), '1.'.repeat(50_000)];

// Odd but accepted by some ecosystems (a blank gem version is 0, rpmvercmp orders separators,
// PEP 440 strips whitespace): each scheme must answer consistently, whatever it decides.
const ODD = [...PATHOLOGICAL, '', ' ', '🙂', '\n1.0', '1.0\n', '..', '--', '*', '~', '-1', '.1', ' 1.0 '];

describe('version scheme contract', () => {
  it('has a table for every registered scheme and finds each by id', () => {
    expect(VERSION_SCHEMES.map((s) => s.id).sort()).toEqual(Object.keys(SCHEME_TABLES).sort());
    for (const scheme of VERSION_SCHEMES) expect(schemeFor(scheme.id)).toBe(scheme);
    expect(() => schemeFor('nope')).toThrow(/unknown version scheme "nope"/);
  });

  describe.each(VERSION_SCHEMES.map((s) => [s.id, s] as const))('%s', (id, scheme) => {
    const table = SCHEME_TABLES[id];
    const values = [...new Set([...table.ascending.flat(), ...table.equal.flat()])];

    it('accepts every table value', () => {
      expect(values.filter((v) => !scheme.isValid(v))).toEqual([]);
    });

    it('is reflexive and antisymmetric', () => {
      for (const a of values) {
        expect(scheme.compare(a, a)).toBe(0);
        for (const b of values)
          expect(Math.sign(scheme.compare(a, b))).toBe(-Math.sign(scheme.compare(b, a)) || 0);
      }
    });

    it('is transitive', () => {
      const sign = (a: string, b: string): number => Math.sign(scheme.compare(a, b));
      const broken: string[][] = [];
      for (const a of values)
        for (const b of values) {
          if (sign(a, b) > 0) continue;
          for (const c of values) {
            if (sign(b, c) > 0) continue;
            const expected = sign(a, b) === 0 && sign(b, c) === 0 ? 0 : -1;
            if (sign(a, c) !== expected) broken.push([a, b, c]);
          }
        }
      expect(broken.slice(0, 5)).toEqual([]);
    });

    it('evaluates OSV events with its own ordering on every ascending table pair', () => {
      for (const [a, b] of table.ascending) {
        const events = [{ introduced: a }, { fixed: b }];
        expect(isAffected(scheme, a, events)).toBe(true);
        expect(isAffected(scheme, b, events)).toBe(false);
        expect(isAffected(scheme, b, [{ introduced: a }, { last_affected: b }])).toBe(true);
      }
    });

    it('answers odd input from isValid without throwing, and compare agrees with it', () => {
      for (const odd of ODD) {
        if (scheme.isValid(odd)) {
          expect(scheme.compare(odd, odd)).toBe(0);
          continue;
        }
        compareRefusal(scheme, odd);
      }
    });

    it('rejects garbage without throwing from isValid, and with INVALID_VERSION from compare', () => {
      for (const g of GARBAGE) {
        expect(scheme.isValid(g)).toBe(false);
        compareRefusal(scheme, g);
      }
    });
  });

  describe.each(VERSION_SCHEMES.filter((s) => s.satisfies !== undefined).map((s) => [s.id, s] as const))(
    '%s ranges',
    (id, scheme) => {
      it('answers or rejects pathological ranges with INVALID_RANGE', () => {
        const version = SCHEME_TABLES[id].ascending[0]?.[0] as string;
        for (const range of PATHOLOGICAL_RANGES) {
          try {
            expect(typeof scheme.satisfies?.(version, range)).toBe('boolean');
          } catch (err) {
            expect(isPortcullisError(err, 'INVALID_RANGE')).toBe(true);
          }
        }
      });
    },
  );
});
